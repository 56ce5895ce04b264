"""spotlight_compat.factorization: ExplicitFactorizationModel and its network."""

import inspect

import numpy as np
import pytest
import torch

from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
from spotlight_compat.factorization.representations import BilinearNet
from spotlight_compat.interactions import Interactions, SequenceInteractions

# spotlight v0.1.6's constructor, in order, with its defaults.
SPOTLIGHT_SIGNATURE = [('loss', 'regression'), ('embedding_dim', 32), ('n_iter', 10),
                       ('batch_size', 256), ('l2', 0.0), ('learning_rate', 1e-2),
                       ('optimizer_func', None), ('use_cuda', False), ('representation', None),
                       ('sparse', False), ('random_state', None)]


def ratings_data(ratings=None):
    rs = np.random.RandomState(0)
    ratings = rs.randint(1, 6, 200).astype(np.float32) if ratings is None else ratings
    return Interactions(rs.randint(0, 10, 200), rs.randint(0, 12, 200), ratings=ratings,
                        num_users=10, num_items=12)


def fit(seed=0, data=None, **kwargs):
    arguments = dict(n_iter=3, batch_size=32, embedding_dim=8, random_state=np.random.RandomState(seed))
    arguments.update(kwargs)
    model = ExplicitFactorizationModel(**arguments)
    losses = model.fit(ratings_data() if data is None else data)
    return model, losses


ALL_PAIRS = (np.arange(10).repeat(12), np.tile(np.arange(12), 10))


@pytest.fixture(scope='module')
def fitted():
    """A model fitted on ``ratings_data()``; tests must not train it further."""
    return fit(0)[0]


# --- spotlight's API ------------------------------------------------------------------------

def test_signature_is_spotlights_plus_device():
    parameters = inspect.signature(ExplicitFactorizationModel).parameters
    assert [(name, p.default) for name, p in parameters.items()] == SPOTLIGHT_SIGNATURE + [('device', None)]
    assert (list(inspect.signature(ExplicitFactorizationModel.fit).parameters)
            == ['self', 'interactions', 'verbose'])
    assert inspect.signature(ExplicitFactorizationModel.fit).parameters['verbose'].default is False
    assert (list(inspect.signature(ExplicitFactorizationModel.predict).parameters)
            == ['self', 'user_ids', 'item_ids'])


def test_spotlight_positional_call_runs_on_the_cpu(capsys):
    model = ExplicitFactorizationModel('regression', 8, 2, 64, 0.0, 1e-2, None, False, None, False,
                                       np.random.RandomState(0))
    assert len(model.fit(ratings_data(), verbose=True)) == 2  # one mean loss per epoch
    assert capsys.readouterr().out.count('Epoch ') == 2
    assert model.predict(3).shape == (12,)  # one user, every item
    assert model.predict(3, np.array([1, 5])).shape == (2,)
    assert model.predict(*ALL_PAIRS).shape == (120,)
    assert next(model._net.parameters()).device.type == 'cpu'
    assert repr(model) == '<ExplicitFactorizationModel: 10 users x 12 items, embedding_dim=8>'


def test_training_is_deterministic_and_depends_on_the_seed():
    (first, first_losses), (second, second_losses) = fit(7), fit(7)
    assert first_losses == second_losses and first_losses[-1] < first_losses[0]
    np.testing.assert_array_equal(first.predict(*ALL_PAIRS), second.predict(*ALL_PAIRS))
    assert not np.array_equal(first.predict(0), fit(8)[0].predict(0))
    np.testing.assert_array_equal(fit(7, random_state=7)[0].predict(0), first.predict(0))


def test_fit_again_resumes_training_as_in_spotlight():
    once, _ = fit(3, n_iter=2)
    twice, _ = fit(3, n_iter=1)
    twice.fit(ratings_data())
    np.testing.assert_array_equal(once.predict(*ALL_PAIRS), twice.predict(*ALL_PAIRS))


@pytest.mark.parametrize('loss,ratings,low,high', [
    ('poisson', np.random.RandomState(1).poisson(2.0, 200).astype(np.float32), 0, np.inf),
    ('logistic', np.random.RandomState(1).choice([-1.0, 1.0], 200).astype(np.float32), 0, 1),
])
def test_spotlights_other_losses(loss, ratings, low, high):
    model, losses = fit(0, data=ratings_data(ratings), loss=loss, n_iter=5)
    assert losses[-1] < losses[0]
    predictions = model.predict(*ALL_PAIRS)
    assert np.all(predictions > low) and np.all(predictions < high)


def test_optimizer_func_replaces_adam():
    calls = []

    def sgd(parameters):
        parameters = list(parameters)
        calls.append(len(parameters))
        return torch.optim.SGD(parameters, lr=0.05)

    _, sgd_losses = fit(0, optimizer_func=sgd)
    assert calls == [4]  # user and item embeddings and biases, once
    assert sgd_losses != fit(0)[1]


def test_sparse_gradients_with_an_optimizer_that_takes_them():
    model, losses = fit(0, sparse=True, optimizer_func=lambda p: torch.optim.SGD(p, lr=0.05))
    assert model._net.user_embeddings.sparse and losses[-1] < losses[0]


def test_representation_replaces_the_network():
    network = BilinearNet(10, 12, embedding_dim=3)
    model, _ = fit(0, representation=network)
    with torch.no_grad():
        expected = network(*(torch.from_numpy(ids) for ids in ALL_PAIRS)).numpy()
    np.testing.assert_array_equal(model.predict(*ALL_PAIRS), expected)


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the message when CUDA is missing')
def test_use_cuda_without_cuda_says_so():
    with pytest.raises(ValueError, match='CUDA is not available here.*use_cuda=False'):
        ExplicitFactorizationModel(use_cuda=True)


# --- Bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize('kwargs,message', [
    (dict(loss='bpr'), "Unknown loss 'bpr'; choose one of \\['logistic', 'poisson', 'regression'\\]"),
    (dict(loss=None), 'Unknown loss None'),
    (dict(embedding_dim=0), 'embedding_dim must be a positive integer, got 0'),
    (dict(embedding_dim=-4), 'embedding_dim must be a positive integer, got -4'),
    (dict(embedding_dim=8.0), 'embedding_dim must be a positive integer, got 8.0'),
    (dict(embedding_dim=True), 'embedding_dim must be a positive integer, got True'),
    (dict(n_iter=-1), 'n_iter must be a positive integer, got -1'),
    (dict(n_iter=0), 'n_iter must be a positive integer, got 0'),
    (dict(batch_size=0), 'batch_size must be a positive integer, got 0'),
    (dict(batch_size=-256), 'batch_size must be a positive integer, got -256'),
    (dict(learning_rate=0), 'learning_rate must be a positive number, got 0'),
    (dict(learning_rate=-0.01), 'learning_rate must be a positive number, got -0.01'),
    (dict(learning_rate=float('nan')), 'learning_rate must be a positive number, got nan'),
    (dict(learning_rate='0.01'), "learning_rate must be a positive number, got '0.01'"),
    (dict(l2=-1e-3), 'l2 must be a non-negative number, got -0.001'),
    (dict(l2=float('inf')), 'l2 must be a non-negative number, got inf'),
    (dict(optimizer_func='adam'), "optimizer_func must be None or a function.*got 'adam'"),
    (dict(sparse=True), 'sparse=True .* pass optimizer_func'),
    (dict(sparse='no'), "sparse must be True or False, got 'no'"),
    (dict(use_cuda=1), 'use_cuda must be True or False, got 1'),
    (dict(use_cuda=True, device='cpu'), "use_cuda=True contradicts device='cpu'"),
    (dict(device='gpu'), "device must name a torch device .* got 'gpu'"),
    (dict(device='meta'), "device must be a cpu, cuda, mps or xpu device, got 'meta'"),
    (dict(representation='bilinear'), "representation must be None or a torch.nn.Module.*'bilinear'"),
    (dict(random_state=np.random.default_rng(0)), 'random_state must be .*np.random.Generator'),
    (dict(random_state=1.5), 'random_state must be None, an integer seed .* got 1.5'),
])
def test_bad_constructor_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ExplicitFactorizationModel(**kwargs)


@pytest.mark.parametrize('data,message', [
    (SequenceInteractions([[1, 2]]), 'interactions must be an Interactions object, got SequenceInteractions'),
    (Interactions([0], [1]), 'needs interactions with ratings'),
    (Interactions([], [], ratings=[]), 'interactions is empty'),
])
def test_bad_fit_data(data, message):
    with pytest.raises(ValueError, match=message):
        ExplicitFactorizationModel().fit(data)


def test_poisson_needs_counts():
    with pytest.raises(ValueError, match="loss='poisson' needs non-negative ratings.*-1.0"):
        fit(0, data=ratings_data(np.full(200, -1.0)), loss='poisson')


def test_resumed_fit_rejects_ids_beyond_the_first_fit():
    model, _ = fit(0)
    with pytest.raises(ValueError, match=r'interactions.user_ids contains the id 10, outside \[0, 10\)'):
        model.fit(Interactions([10], [1], ratings=[3.0]))


def test_diverging_training_is_reported():
    with pytest.raises(ValueError, match='Degenerate epoch loss: (nan|inf)'):
        fit(0, data=ratings_data(np.full(200, 3e38, dtype=np.float32)))


def test_user_id_too_large_for_memory_is_reported_before_allocating():
    """A user id of 2e9 would need a 2e9-row embedding: say so instead of asking PyTorch."""
    data = Interactions([0, 2_000_000_000], [1, 2], ratings=[1.0, 5.0])
    with pytest.raises(ValueError, match=r'num_users=2000000001 with embedding_dim=32 needs '
                                         r'[\d,.]+ GiB to train .*IdMapping'):
        ExplicitFactorizationModel().fit(data)


def test_platform_without_memory_figures_skips_the_memory_check(monkeypatch):
    import os
    monkeypatch.delattr(os, 'sysconf')  # as on Windows
    model, losses = fit(0, n_iter=1, embedding_dim=10 ** 6, data=Interactions([0], [0], ratings=[1.0]))
    assert len(losses) == 1 and model.predict(0).shape == (1,)


@pytest.mark.parametrize('user_ids,item_ids,message', [
    (10, [1], r'user_ids contains the id 10, outside \[0, 10\) given by the fitted model'),
    (-1, [1], 'user_ids contains the negative id -1'),
    (3, [12], r'item_ids contains the id 12, outside \[0, 12\)'),
    (3, [0, -2], 'item_ids contains the negative id -2'),
    ([1, 2], [1, 2, 3], 'user_ids has 2 entries but item_ids has 3'),
    (1.5, [1], 'user_ids contains the non-integer id 1.5'),
    (3, ['a'], 'item_ids has dtype <U1'),
    ([True], [1], 'user_ids is a boolean array'),
    ([[1, 2]], [1, 2], r'user_ids must be a scalar, a vector or a column vector \(n, 1\), '
                       r'got shape \(1, 2\)'),
    (3, np.zeros((2, 2, 1), dtype=int), r'item_ids must be .* got shape \(2, 2, 1\)'),
    (3, np.nan, 'item_ids contains nan'),
])
def test_predict_rejects_bad_ids(fitted, user_ids, item_ids, message):
    with pytest.raises(ValueError, match=message):
        fitted.predict(user_ids, item_ids)


def test_predict_accepts_spotlight_column_vectors(fitted):
    # spotlight reshapes ids to columns; a (n, 1) array means the same as a vector.
    users, items = np.array([1, 4, 4]), np.array([2, 0, 11])
    expected = fitted.predict(users, items)
    np.testing.assert_array_equal(fitted.predict(users[:, None], items[:, None]), expected)
    np.testing.assert_array_equal(fitted.predict(4, items[1:, None]), expected[1:])
    assert not np.allclose(expected[1:], fitted.predict(1, items[1:]))


def test_predict_before_fit():
    with pytest.raises(RuntimeError, match='Call fit'):
        ExplicitFactorizationModel().predict(0)
