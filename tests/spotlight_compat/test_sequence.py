"""
spotlight_compat.sequence: ImplicitSequenceModel and its networks (PoolNet, LSTMNet,
CNNNet, MixtureLSTMNet), against our own expectations (spotlight's signature and
behaviour, learning on learnable data, the errors for bad input) and, in the last
section, against the scores spotlight 0.1.6 computed with the same seed
(tests/fixtures/spotlight/reference_values.json).
"""

import inspect

import numpy as np
import pytest
import torch

from spotlight_compat.cross_validation import user_based_train_test_split
from spotlight_compat.datasets.synthetic import generate_sequential
from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.interactions import Interactions, SequenceInteractions
from spotlight_compat.layers import BloomEmbedding
from spotlight_compat.sequence.implicit import ImplicitSequenceModel
from spotlight_compat.sequence.representations import CNNNet, LSTMNet, MixtureLSTMNet, PoolNet
from tests.helpers import spotlight_reference

# spotlight v0.1.6's constructor, in order, with its defaults.
SPOTLIGHT_SIGNATURE = [('loss', 'pointwise'), ('representation', 'pooling'), ('embedding_dim', 32),
                       ('n_iter', 10), ('batch_size', 256), ('l2', 0.0), ('learning_rate', 1e-2),
                       ('optimizer_func', None), ('use_cuda', False), ('sparse', False),
                       ('random_state', None), ('num_negative_samples', 5)]

NETWORKS = (PoolNet, LSTMNet, CNNNet, MixtureLSTMNet)
REFERENCE = spotlight_reference()['implicit_sequence']


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


@pytest.fixture(scope='module')
def sequential_split():
    data = generate_sequential(num_users=40, num_items=30, num_interactions=3000,
                               concentration_parameter=1e-3, order=2,
                               random_state=np.random.RandomState(0))
    train, test = user_based_train_test_split(data, random_state=np.random.RandomState(1))
    return train.to_sequence(max_sequence_length=10), test.to_sequence(max_sequence_length=10)


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


@pytest.mark.parametrize('representation,loss', [('cnn', 'bpr'), ('mixture', 'adaptive_hinge')])
def test_model_learns_with_spotlights_other_representations(sequential_split, representation, loss):
    train, test = sequential_split
    model = ImplicitSequenceModel(loss=loss, representation=representation, n_iter=8,
                                  embedding_dim=16, batch_size=32, random_state=0)
    losses = model.fit(train)
    assert losses[-1] < losses[0]
    assert sequence_mrr_score(model, test).mean() > 0.15  # random ranking: about 0.13
    scores = model.predict(test.sequences[0, :-1])
    np.testing.assert_allclose(model.predict_sequences(test.sequences[:1, :-1])[0], scores,
                               rtol=1e-5, atol=1e-6)


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


def test_predict_accepts_spotlight_column_of_item_ids(fitted):
    # spotlight's predict documents item_ids as an array (num_items x 1).
    model = fitted['pooling']
    scores = model.predict([1, 2])
    column = model.predict([1, 2], item_ids=np.array([[1], [2], [3]]))
    np.testing.assert_array_equal(column, scores[[1, 2, 3]])
    assert column.shape == (3,) and len(np.unique(column)) == 3


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


def test_model_with_bloom_item_embeddings(sequential_split):
    train, test = sequential_split
    representation = PoolNet(train.num_items, embedding_dim=16,
                             item_embedding_layer=BloomEmbedding(train.num_items, 16, 0.5, 2))
    model = ImplicitSequenceModel(loss='bpr', representation=representation, n_iter=5,
                                  batch_size=32, random_state=0)
    model.fit(train)
    assert model.predict(test.sequences[0]).shape == (train.num_items,)


# --- The networks (sequence.representations) ------------------------------------------------

@pytest.mark.parametrize('network', NETWORKS)
def test_spotlight_default_embedding_dim_is_32(network):
    assert inspect.signature(network).parameters['embedding_dim'].default == 32
    assert network(10).item_embeddings.weight.shape == (10, 32)


@pytest.mark.parametrize('network', NETWORKS)
def test_representations_are_causal(network):
    torch.manual_seed(0)
    net = network(20, embedding_dim=6)
    first = torch.tensor([[0, 3, 5, 7, 9]])
    second = torch.tensor([[0, 3, 5, 8, 2]])  # differs from step 3 on
    before_first, _ = net.user_representation(first)
    before_second, final = net.user_representation(second)
    torch.testing.assert_close(before_first[:, :4], before_second[:, :4])
    assert not torch.allclose(before_first[:, 4], before_second[:, 4])
    assert before_first.shape[:2] == (1, 5) and final.shape[0] == 1


@pytest.mark.parametrize('network', NETWORKS)
def test_score_all_items_equals_scoring_each_item(network):
    torch.manual_seed(0)
    net = network(15, embedding_dim=4)
    with torch.no_grad():
        net.item_biases.weight.normal_()
        _, final = net.user_representation(torch.tensor([[1, 2, 3], [0, 0, 4]]))
        items = torch.arange(15).expand(2, -1)
        expanded = final.unsqueeze(1).expand(-1, 15, *final.shape[1:])
        torch.testing.assert_close(net.score_all_items(final), net(expanded, items))


def test_cnn_layers_widths_and_dilations():
    net = CNNNet(10, embedding_dim=4, kernel_width=(3, 2), dilation=(1, 2), num_layers=2)
    assert [layer.kernel_size[0] for layer in net.cnn_layers] == [3, 2]
    assert [layer.dilation[0] for layer in net.cnn_layers] == [1, 2]
    before, final = net.user_representation(torch.tensor([[1, 2, 3, 4]]))
    assert before.shape == (1, 4, 4) and final.shape == (1, 4)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        CNNNet(10, nonlinearity='sigmoid')
    with pytest.raises(ValueError, match='kernel_width gives 1 values for 2 layers'):
        CNNNet(10, kernel_width=(3,), num_layers=2)


def test_mixture_representation_holds_tastes_and_attention():
    net = MixtureLSTMNet(10, embedding_dim=4, num_mixtures=3)
    before, final = net.user_representation(torch.tensor([[1, 2, 3]]))
    assert before.shape == (1, 3, 6, 4) and final.shape == (1, 6, 4)


@pytest.mark.parametrize('network', NETWORKS)
def test_item_embedding_layer_is_used(network):
    layer = BloomEmbedding(30, 8, compression_ratio=0.5, num_hash_functions=2)
    net = network(30, embedding_dim=8, item_embedding_layer=layer)
    assert net.item_embeddings is layer
    before, _ = net.user_representation(torch.tensor([[0, 4, 9]]))
    layer.embeddings.weight.data.zero_()
    zeroed, _ = net.user_representation(torch.tensor([[0, 4, 9]]))
    assert not torch.allclose(before, zeroed)


@pytest.mark.parametrize('network', (LSTMNet, CNNNet, MixtureLSTMNet))
def test_networks_sized_by_embedding_dim_check_the_layer_width(network):
    layer = BloomEmbedding(30, 8, compression_ratio=0.5, num_hash_functions=2)
    with pytest.raises(ValueError, match='item_embedding_layer has embedding_dim=8 but the '
                                         'network has embedding_dim=16'):
        network(30, embedding_dim=16, item_embedding_layer=layer)


def test_pooling_net_takes_the_width_of_its_item_layer():
    # Pooling has no part sized by embedding_dim, so spotlight's PoolNet works with
    # an item layer of any width; the default embedding_dim does not get in the way.
    net = PoolNet(30, item_embedding_layer=BloomEmbedding(30, 12, compression_ratio=0.5,
                                                          num_hash_functions=2))
    assert net.embedding_dim == 12
    before, final = net.user_representation(torch.tensor([[0, 4, 9]]))
    assert before.shape == (1, 3, 12) and final.shape == (1, 12)
    assert net(final, torch.tensor([[1, 2, 3, 4]]).t()).shape == (4, 1)


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


def test_predict_before_fit():
    with pytest.raises(RuntimeError, match='Call fit'):
        ImplicitSequenceModel().predict([1])


# --- Against the scores spotlight 0.1.6 computed (tests/fixtures/spotlight/) ----------------

@pytest.mark.parametrize('run', sorted(REFERENCE['runs']))
def test_same_seed_gives_spotlights_scores(run):
    # Same initial weights (torch seeded from the random state), the same shuffles and
    # the same negatives as spotlight: the scores agree up to float rounding.
    representation, loss = run.split('_', 1)
    state = np.random.RandomState(21)
    data = generate_sequential(num_users=60, num_items=30, num_interactions=2400,
                               concentration_parameter=1e-2, order=2, random_state=state)
    train, test = user_based_train_test_split(data, random_state=state)
    train, test = train.to_sequence(max_sequence_length=8), test.to_sequence(max_sequence_length=8)
    model = ImplicitSequenceModel(loss=loss, representation=representation, n_iter=2,
                                  embedding_dim=16, batch_size=32, learning_rate=1e-2,
                                  random_state=np.random.RandomState(8))
    model.fit(train)
    expected = REFERENCE['runs'][run]
    np.testing.assert_allclose(model.predict(test.sequences[0]), expected['predict_first_test'],
                               atol=1e-4)
    assert abs(sequence_mrr_score(model, test).mean() - np.mean(expected['mrr'])) < 2e-3
