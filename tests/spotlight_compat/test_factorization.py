"""
spotlight_compat.factorization: ExplicitFactorizationModel, ImplicitFactorizationModel and
their network BilinearNet, against our own expectations (spotlight's signature and
behaviour, learning, the errors for bad input) and, in the last section, against the
scores spotlight 0.1.6 computed with the same random state
(tests/fixtures/spotlight/reference_values.json). With the same random state the implicit
model draws the same initial weights, shuffles and negative items as spotlight, so its
scores equal spotlight's up to float rounding; the adaptive hinge loss pairs negatives
with their own user (see the class's Notes), so it is checked for learning instead.
"""

import inspect

import numpy as np
import pytest
import torch

from spotlight_compat.cross_validation import random_train_test_split
from spotlight_compat.datasets.synthetic import generate_sequential
from spotlight_compat.evaluation import mrr_score
from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
from spotlight_compat.factorization.implicit import ImplicitFactorizationModel
from spotlight_compat.factorization.representations import BilinearNet
from spotlight_compat.interactions import Interactions, SequenceInteractions
from spotlight_compat.layers import BloomEmbedding
from tests.helpers import spotlight_reference

# spotlight v0.1.6's constructor, in order, with its defaults.
SPOTLIGHT_SIGNATURE = [('loss', 'regression'), ('embedding_dim', 32), ('n_iter', 10),
                       ('batch_size', 256), ('l2', 0.0), ('learning_rate', 1e-2),
                       ('optimizer_func', None), ('use_cuda', False), ('representation', None),
                       ('sparse', False), ('random_state', None)]

REFERENCE = spotlight_reference()['implicit_factorization']


def ratings_data(ratings=None):
    rs = np.random.RandomState(0)
    ratings = rs.randint(1, 6, 200).astype(np.float32) if ratings is None else ratings
    return Interactions(rs.randint(0, 10, 200), rs.randint(0, 12, 200), ratings=ratings,
                        num_users=10, num_items=12)


def fit_explicit(seed=0, data=None, **kwargs):
    arguments = dict(n_iter=3, batch_size=32, embedding_dim=8, random_state=np.random.RandomState(seed))
    arguments.update(kwargs)
    model = ExplicitFactorizationModel(**arguments)
    losses = model.fit(ratings_data() if data is None else data)
    return model, losses


ALL_PAIRS = (np.arange(10).repeat(12), np.tile(np.arange(12), 10))


@pytest.fixture(scope='module')
def fitted_explicit():
    """An explicit model fitted on ``ratings_data()``; tests must not train it further."""
    return fit_explicit(0)[0]


@pytest.fixture(scope='module')
def split():
    data = generate_sequential(num_users=50, num_items=40, num_interactions=2000,
                               random_state=np.random.RandomState(3))
    return random_train_test_split(data, random_state=np.random.RandomState(4))


def fit_implicit(train, loss, seed=5, **kwargs):
    model = ImplicitFactorizationModel(loss=loss, n_iter=3, embedding_dim=8, batch_size=64,
                                       random_state=np.random.RandomState(seed), **kwargs)
    model.fit(train)
    return model


# --- ExplicitFactorizationModel: spotlight's API --------------------------------------------

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
    (first, first_losses), (second, second_losses) = fit_explicit(7), fit_explicit(7)
    assert first_losses == second_losses and first_losses[-1] < first_losses[0]
    np.testing.assert_array_equal(first.predict(*ALL_PAIRS), second.predict(*ALL_PAIRS))
    assert not np.array_equal(first.predict(0), fit_explicit(8)[0].predict(0))
    np.testing.assert_array_equal(fit_explicit(7, random_state=7)[0].predict(0), first.predict(0))


def test_fit_again_resumes_training_as_in_spotlight():
    once, _ = fit_explicit(3, n_iter=2)
    twice, _ = fit_explicit(3, n_iter=1)
    twice.fit(ratings_data())
    np.testing.assert_array_equal(once.predict(*ALL_PAIRS), twice.predict(*ALL_PAIRS))


@pytest.mark.parametrize('loss,ratings,low,high', [
    ('poisson', np.random.RandomState(1).poisson(2.0, 200).astype(np.float32), 0, np.inf),
    ('logistic', np.random.RandomState(1).choice([-1.0, 1.0], 200).astype(np.float32), 0, 1),
])
def test_spotlights_other_losses(loss, ratings, low, high):
    model, losses = fit_explicit(0, data=ratings_data(ratings), loss=loss, n_iter=5)
    assert losses[-1] < losses[0]
    predictions = model.predict(*ALL_PAIRS)
    assert np.all(predictions > low) and np.all(predictions < high)


def test_optimizer_func_replaces_adam():
    calls = []

    def sgd(parameters):
        parameters = list(parameters)
        calls.append(len(parameters))
        return torch.optim.SGD(parameters, lr=0.05)

    _, sgd_losses = fit_explicit(0, optimizer_func=sgd)
    assert calls == [4]  # user and item embeddings and biases, once
    assert sgd_losses != fit_explicit(0)[1]


def test_sparse_gradients_with_an_optimizer_that_takes_them():
    model, losses = fit_explicit(0, sparse=True, optimizer_func=lambda p: torch.optim.SGD(p, lr=0.05))
    assert model._net.user_embeddings.sparse and losses[-1] < losses[0]


def test_representation_replaces_the_network():
    network = BilinearNet(10, 12, embedding_dim=3)
    model, _ = fit_explicit(0, representation=network)
    with torch.no_grad():
        expected = network(*(torch.from_numpy(ids) for ids in ALL_PAIRS)).numpy()
    np.testing.assert_array_equal(model.predict(*ALL_PAIRS), expected)


def test_predict_accepts_spotlight_column_vectors(fitted_explicit):
    # spotlight reshapes ids to columns; a (n, 1) array means the same as a vector.
    users, items = np.array([1, 4, 4]), np.array([2, 0, 11])
    expected = fitted_explicit.predict(users, items)
    np.testing.assert_array_equal(fitted_explicit.predict(users[:, None], items[:, None]), expected)
    np.testing.assert_array_equal(fitted_explicit.predict(4, items[1:, None]), expected[1:])
    assert not np.allclose(expected[1:], fitted_explicit.predict(1, items[1:]))


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the message when CUDA is missing')
def test_use_cuda_without_cuda_says_so():
    with pytest.raises(ValueError, match='CUDA is not available here.*use_cuda=False'):
        ExplicitFactorizationModel(use_cuda=True)


# --- ExplicitFactorizationModel: bad input --------------------------------------------------

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
        fit_explicit(0, data=ratings_data(np.full(200, -1.0)), loss='poisson')


def test_resumed_fit_rejects_ids_beyond_the_first_fit():
    model, _ = fit_explicit(0)
    with pytest.raises(ValueError, match=r'interactions.user_ids contains the id 10, outside \[0, 10\)'):
        model.fit(Interactions([10], [1], ratings=[3.0]))


def test_diverging_training_is_reported():
    with pytest.raises(ValueError, match='Degenerate epoch loss: (nan|inf)'):
        fit_explicit(0, data=ratings_data(np.full(200, 3e38, dtype=np.float32)))


def test_user_id_too_large_for_memory_is_reported_before_allocating():
    """A user id of 2e9 would need a 2e9-row embedding: say so instead of asking PyTorch."""
    data = Interactions([0, 2_000_000_000], [1, 2], ratings=[1.0, 5.0])
    with pytest.raises(ValueError, match=r'num_users=2000000001 with embedding_dim=32 needs '
                                         r'[\d,.]+ GiB to train .*IdMapping'):
        ExplicitFactorizationModel().fit(data)


def test_platform_without_memory_figures_skips_the_memory_check(monkeypatch):
    import os
    monkeypatch.delattr(os, 'sysconf')  # as on Windows
    model, losses = fit_explicit(0, n_iter=1, embedding_dim=10 ** 6, data=Interactions([0], [0], ratings=[1.0]))
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
def test_predict_rejects_bad_ids(fitted_explicit, user_ids, item_ids, message):
    with pytest.raises(ValueError, match=message):
        fitted_explicit.predict(user_ids, item_ids)


def test_predict_before_fit():
    with pytest.raises(RuntimeError, match='Call fit'):
        ExplicitFactorizationModel().predict(0)


# --- ImplicitFactorizationModel -------------------------------------------------------------

def test_implicit_adaptive_hinge_learns(split):
    train, test = split
    untrained = ImplicitFactorizationModel(loss='adaptive_hinge', n_iter=1, embedding_dim=8,
                                           learning_rate=1e-12, random_state=0)
    untrained.fit(train)
    model = ImplicitFactorizationModel(loss='adaptive_hinge', n_iter=10, embedding_dim=8,
                                       batch_size=64, num_negative_samples=3, random_state=0)
    losses = model.fit(train)
    assert losses[-1] < losses[0]
    assert mrr_score(model, test, train).mean() > mrr_score(untrained, test, train).mean() + 0.015


def test_implicit_predict_forms_agree(split):
    train, _ = split
    model = fit_implicit(train, 'bpr')
    every = model.predict(7)
    items = np.arange(train.num_items)
    np.testing.assert_array_equal(model.predict(7, items), every)
    np.testing.assert_array_equal(model.predict(np.repeat(7, len(items)), items), every)
    np.testing.assert_array_equal(model.predict(np.array([[7]]), items[:, None]), every)


def test_implicit_model_learns_with_bloom_embeddings_through_bilinear_net(split):
    train, test = split
    torch.manual_seed(0)
    network = BilinearNet(train.num_users, train.num_items, embedding_dim=8,
                          user_embedding_layer=BloomEmbedding(train.num_users, 8, 0.5, 2),
                          item_embedding_layer=BloomEmbedding(train.num_items, 8, 0.5, 2))
    model = ImplicitFactorizationModel(loss='bpr', n_iter=5, batch_size=64, representation=network,
                                       random_state=1)
    model.fit(train)
    assert model._net.user_embeddings is network.user_embeddings
    assert network.item_embeddings.embeddings.weight.shape == (20, 8)
    assert mrr_score(model, test, train).mean() > 0.08  # random ranking: about 0.06


@pytest.mark.parametrize('kwargs,message', [
    (dict(loss='regression'), "Unknown loss 'regression'"),
    (dict(num_negative_samples=0), 'num_negative_samples must be a positive integer'),
    (dict(n_iter=0), 'n_iter must be a positive integer'),
    (dict(representation='bilinear'), 'representation must be None or a torch.nn.Module'),
])
def test_implicit_constructor_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImplicitFactorizationModel(**kwargs)


def test_implicit_fit_rejects_empty_or_out_of_range_data(split):
    train, _ = split
    model = ImplicitFactorizationModel(n_iter=1)
    with pytest.raises(ValueError, match='interactions is empty'):
        model.fit(Interactions([], []))
    model.fit(train)
    with pytest.raises(ValueError, match=r'interactions.item_ids contains the id 40, outside'):
        model.fit(Interactions([0], [40]))


# --- BilinearNet ----------------------------------------------------------------------------

def test_bilinear_net_checks_layer_width():
    with pytest.raises(ValueError, match='item_embedding_layer has embedding_dim=4 but the '
                                         'network has embedding_dim=8'):
        BilinearNet(5, 5, embedding_dim=8, item_embedding_layer=torch.nn.Embedding(5, 4))
    with pytest.raises(ValueError, match='user_embedding_layer must be a torch.nn.Module'):
        BilinearNet(5, 5, user_embedding_layer=np.zeros((5, 32)))


def test_bilinear_net_takes_the_width_of_the_layers_it_is_given(split):
    # spotlight's bloom_embeddings example builds its layers 64 wide and leaves
    # BilinearNet's embedding_dim at its default of 32: the layers decide the width.
    train, test = split
    torch.manual_seed(0)
    network = BilinearNet(train.num_users, train.num_items,
                          user_embedding_layer=BloomEmbedding(train.num_users, 12, 0.5, 2),
                          item_embedding_layer=BloomEmbedding(train.num_items, 12, 0.5, 2))
    assert network.embedding_dim == 12
    scores = network(torch.arange(3), torch.arange(3))
    assert scores.shape == (3,)
    model = ImplicitFactorizationModel(loss='bpr', n_iter=5, batch_size=64, embedding_dim=12,
                                       representation=network, random_state=1)
    model.fit(train)
    assert mrr_score(model, test, train).mean() > 0.08  # random ranking: about 0.06


def test_bilinear_net_rejects_user_and_item_layers_of_different_widths():
    with pytest.raises(ValueError, match='user_embedding_layer has embedding_dim=6 but '
                                         'item_embedding_layer has embedding_dim=4'):
        BilinearNet(5, 5, user_embedding_layer=torch.nn.Embedding(5, 6),
                    item_embedding_layer=torch.nn.Embedding(5, 4))


# --- Against the scores spotlight 0.1.6 computed (tests/fixtures/spotlight/) ----------------

@pytest.mark.parametrize('loss', sorted(REFERENCE['losses']))
def test_implicit_same_seed_gives_spotlights_scores(split, loss):
    train, test = split
    model = fit_implicit(train, loss)
    expected = REFERENCE['losses'][loss]
    np.testing.assert_allclose(model.predict(3), expected['predict_user_3'], atol=2e-5)
    np.testing.assert_allclose(mrr_score(model, test, train), expected['mrr'], atol=1e-4)
