"""spotlight_compat.sequence: ImplicitSequenceModel and its networks."""

import inspect

import numpy as np
import pytest
import torch

from spotlight_compat.interactions import Interactions, SequenceInteractions
from spotlight_compat.sequence.implicit import ImplicitSequenceModel
from spotlight_compat.sequence.representations import PoolNet

# spotlight v0.1.6's constructor, in order, with its defaults.
SPOTLIGHT_SIGNATURE = [('loss', 'pointwise'), ('representation', 'pooling'), ('embedding_dim', 32),
                       ('n_iter', 10), ('batch_size', 256), ('l2', 0.0), ('learning_rate', 1e-2),
                       ('optimizer_func', None), ('use_cuda', False), ('sparse', False),
                       ('random_state', None), ('num_negative_samples', 5)]


def cycle_sequences(num_users=12, length=10, num_items=9, max_sequence_length=5):
    """Each user walks through the items in a cycle: the next item is learnable."""
    users = np.repeat(np.arange(num_users), length)
    steps = np.tile(np.arange(length), num_users)
    return Interactions(users, (users + steps) % num_items + 1,
                        timestamps=steps).to_sequence(max_sequence_length)


SEQUENCES = cycle_sequences()  # items 1..9, num_items 10


def fit(seed=0, data=SEQUENCES, **kwargs):
    arguments = dict(n_iter=3, batch_size=16, embedding_dim=8, random_state=np.random.RandomState(seed))
    arguments.update(kwargs)
    model = ImplicitSequenceModel(**arguments)
    return model, model.fit(data)


@pytest.fixture(scope='module')
def fitted():
    """Pooling and LSTM models fitted on ``SEQUENCES``; tests must not train them further."""
    return {representation: fit(0, representation=representation)[0]
            for representation in ('pooling', 'lstm')}


# --- spotlight's API ------------------------------------------------------------------------

def test_signature_is_spotlights_plus_device():
    parameters = inspect.signature(ImplicitSequenceModel).parameters
    assert [(name, p.default) for name, p in parameters.items()] == SPOTLIGHT_SIGNATURE + [('device', None)]
    assert (list(inspect.signature(ImplicitSequenceModel.fit).parameters)
            == ['self', 'interactions', 'verbose'])
    assert (list(inspect.signature(ImplicitSequenceModel.predict).parameters)
            == ['self', 'sequences', 'item_ids'])


def test_spotlight_positional_call_runs_on_the_cpu(capsys):
    model = ImplicitSequenceModel('pointwise', 'pooling', 8, 2, 16, 0.0, 1e-2, None, False, False,
                                  np.random.RandomState(0), 5)
    model.fit(SEQUENCES, verbose=True)
    assert capsys.readouterr().out.count('Epoch ') == 2
    assert model.predict(SEQUENCES.sequences[:1]).shape == (10,)  # spotlight's (1, length) form
    assert next(model._net.parameters()).device.type == 'cpu'
    assert repr(model) == "<ImplicitSequenceModel: 10 items, representation='pooling', loss='pointwise'>"


@pytest.mark.parametrize('representation', ['pooling', 'lstm'])
@pytest.mark.parametrize('loss', ['pointwise', 'bpr', 'hinge', 'adaptive_hinge'])
def test_every_loss_and_representation_learns(representation, loss):
    data = cycle_sequences(num_users=40, length=20, num_items=29, max_sequence_length=6)
    model, losses = fit(0, data, representation=representation, loss=loss, n_iter=10)
    assert losses[-1] < losses[0]


@pytest.mark.parametrize('representation', ['pooling', 'lstm'])
def test_predict_equals_a_row_of_predict_sequences(fitted, representation):
    model = fitted[representation]
    prefixes = SEQUENCES.sequences[:, :-1]
    batched = model.predict_sequences(prefixes)
    assert batched.shape == (len(prefixes), 10)
    for row in (0, 3, len(prefixes) - 1):
        np.testing.assert_allclose(batched[row], model.predict(prefixes[row]), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.predict(prefixes[3], item_ids=[7, 2]),
                                  model.predict(prefixes[3])[[7, 2]])
    assert model.predict(prefixes[3], item_ids=4) == model.predict(prefixes[3])[4]


@pytest.mark.parametrize('representation', ['pooling', 'lstm'])
def test_scores_edge_sequences(fitted, representation):
    model = fitted[representation]
    edge_cases = {'empty': np.array([], dtype=np.int64), 'empty list': [],
                  'all padding': [0, 0, 0, 0], 'float ids': [1.0, 2.0],
                  'longer than training rows': np.arange(1, 10).repeat(3)}
    for name, sequence in edge_cases.items():
        scores = model.predict(sequence)
        assert scores.shape == (10,) and np.all(np.isfinite(scores)), name
    if representation == 'pooling':  # padding embeds to zero and is not counted
        np.testing.assert_allclose(model.predict([3, 4]), model.predict([0, 0, 3, 4]), rtol=1e-6)


@pytest.mark.parametrize('representation,loss', [('pooling', 'pointwise'), ('lstm', 'bpr'),
                                                 ('pooling', 'adaptive_hinge')])
def test_training_is_deterministic_and_depends_on_the_seed(representation, loss):
    (first, first_losses), (second, second_losses) = (fit(7, representation=representation, loss=loss),
                                                      fit(7, representation=representation, loss=loss))
    assert first_losses == second_losses
    prefixes = SEQUENCES.sequences[:, :-1]
    np.testing.assert_array_equal(first.predict_sequences(prefixes), second.predict_sequences(prefixes))
    other = fit(8, representation=representation, loss=loss)[0]
    assert not np.array_equal(first.predict([1, 2]), other.predict([1, 2]))


def test_fit_again_resumes_training_as_in_spotlight():
    # spotlight keeps the network and optimizer between fit calls; each call shuffles
    # afresh from the data's order (within a call, each epoch reshuffles the last order).
    once, _ = fit(3, n_iter=1)
    twice, first_losses = fit(3, n_iter=1)
    network = twice._net
    second_losses = twice.fit(SEQUENCES)
    assert twice._net is network and second_losses[0] < first_losses[0]
    prefixes = SEQUENCES.sequences[:, :-1]
    assert not np.allclose(once.predict_sequences(prefixes), twice.predict_sequences(prefixes))


def test_optimizer_func_and_sparse_gradients():
    """The pooling network holds only embeddings: SparseAdam can train all of it."""
    calls = []

    def sparse_adam(parameters):
        calls.append(1)
        return torch.optim.SparseAdam(list(parameters), lr=0.01)

    model, losses = fit(0, sparse=True, optimizer_func=sparse_adam, n_iter=5)
    assert calls == [1] and model._net.item_embeddings.sparse
    assert losses[-1] < losses[0] and losses != fit(0, n_iter=5)[1]


class Wrapped(torch.nn.Module):
    """A network offering only user_representation and forward (no score_all_items)."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def user_representation(self, sequences):
        return self.network.user_representation(sequences)

    def forward(self, representations, items):
        return self.network(representations, items)


def test_representation_module_replaces_the_network():
    network = PoolNet(10, 4)
    model, _ = fit(0, representation=network)
    prefixes = torch.from_numpy(SEQUENCES.sequences[:, :-1].astype(np.int64))
    with torch.no_grad():
        expected = network.score_all_items(network.user_representation(prefixes)[1]).numpy()
    np.testing.assert_allclose(model.predict_sequences(prefixes.numpy()), expected, rtol=1e-6)
    # Without score_all_items, every item is scored through forward(): the same scores.
    model._net = Wrapped(network)
    np.testing.assert_allclose(model.predict_sequences(prefixes.numpy()), expected,
                               rtol=1e-5, atol=1e-6)


# --- Bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize('kwargs,message', [
    (dict(loss='regression'),
     "Unknown loss 'regression'; choose one of \\['adaptive_hinge', 'bpr', 'hinge', 'pointwise'\\]"),
    (dict(representation='gru'),
     "Unknown representation 'gru'; choose one of \\['cnn', 'lstm', 'mixture', 'pooling'\\]"),
    (dict(representation=torch.nn.Linear(2, 2)), 'representation is a module without user_representation'),
    (dict(num_negative_samples=0), 'num_negative_samples must be a positive integer, got 0'),
    (dict(num_negative_samples=2.0), 'num_negative_samples must be a positive integer, got 2.0'),
    (dict(embedding_dim=0), 'embedding_dim must be a positive integer, got 0'),
    (dict(n_iter=-1), 'n_iter must be a positive integer, got -1'),
    (dict(batch_size=0), 'batch_size must be a positive integer, got 0'),
    (dict(learning_rate=0.0), 'learning_rate must be a positive number, got 0.0'),
    (dict(l2=-1), 'l2 must be a non-negative number, got -1'),
    (dict(use_cuda='yes'), "use_cuda must be True or False, got 'yes'"),
    (dict(random_state='seed'), "random_state must be None, .*got 'seed'"),
])
def test_bad_constructor_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImplicitSequenceModel(**kwargs)


@pytest.mark.parametrize('data,message', [
    (Interactions([0], [1], timestamps=[0]),
     'interactions must be SequenceInteractions, got Interactions; call interactions.to_sequence'),
    (SequenceInteractions(np.zeros((0, 5), dtype=int)), r'holds no items \(sequences of shape \(0, 5\)'),
    (SequenceInteractions(np.zeros((2, 3), dtype=int), num_items=4), 'holds no items .*all padding'),
])
def test_bad_fit_data(data, message):
    with pytest.raises(ValueError, match=message):
        ImplicitSequenceModel().fit(data)


def test_resumed_fit_rejects_items_beyond_the_first_fit():
    model, _ = fit(0)
    with pytest.raises(ValueError, match=r'interactions.sequences contains the id 10, outside \[0, 10\)'):
        model.fit(SequenceInteractions([[1, 10]]))


def test_item_id_too_large_for_memory_is_reported_before_allocating():
    with pytest.raises(ValueError, match=r'num_items=2000000001 with embedding_dim=32 needs '
                                         r'[\d,.]+ GiB to train'):
        ImplicitSequenceModel().fit(SequenceInteractions([[1, 2_000_000_000]]))


BAD_SEQUENCES = [
    ([10], r'sequences contains the id 10, outside \[0, 10\) given by the fitted model'),
    ([-1], 'sequences contains the negative id -1'),
    ([1, 2, 2 ** 40], r'sequences contains the id 1099511627776, outside \[0, 10\)'),
    ([1.5], 'sequences contains the non-integer id 1.5'),
    ([np.nan], 'sequences contains nan'),
    (['a'], 'sequences has dtype <U1'),
    ([True, False], 'sequences is a boolean array'),
]


@pytest.mark.parametrize('sequence,message', BAD_SEQUENCES)
def test_rejects_bad_sequences(fitted, sequence, message):
    model = fitted['pooling']
    for call in (lambda: model.predict(sequence), lambda: model.predict_sequences([sequence])):
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.parametrize('call,message', [
    (lambda model: model.predict([[1, 2], [3, 4]]), r'predict scores one sequence, got .* shape \(2, 2\)'),
    (lambda model: model.predict_sequences([1, 2, 3]), r'sequences must be 2-dimensional, got shape \(3,\)'),
    (lambda model: model.predict([1, 2], item_ids=[10]), r'item_ids contains the id 10, outside \[0, 10\)'),
    (lambda model: model.predict([1, 2], item_ids=[-1]), 'item_ids contains the negative id -1'),
    (lambda model: model.predict([1, 2], item_ids=[[1, 2]]),
     r'item_ids must be a scalar, a vector or a column vector \(n, 1\), got shape \(1, 2\)'),
])
def test_rejects_bad_shapes_and_item_ids(fitted, call, message):
    with pytest.raises(ValueError, match=message):
        call(fitted['pooling'])


def test_predict_accepts_spotlight_column_of_item_ids(fitted):
    # spotlight's predict documents item_ids as an array (num_items x 1).
    model = fitted['pooling']
    scores = model.predict([1, 2])
    column = model.predict([1, 2], item_ids=np.array([[1], [2], [3]]))
    np.testing.assert_array_equal(column, scores[[1, 2, 3]])
    assert column.shape == (3,) and len(np.unique(column)) == 3


def test_predict_before_fit():
    with pytest.raises(RuntimeError, match='Call fit'):
        ImplicitSequenceModel().predict([1])
