"""
The sequence networks spotlight has and the homework subset lacked (CNNNet,
MixtureLSTMNet), the item_embedding_layer argument of every network, spotlight's
default embedding_dim, and representation='cnn' / 'mixture' in the model.
"""

import inspect

import numpy as np
import pytest
import torch

from spotlight_compat.cross_validation import user_based_train_test_split
from spotlight_compat.datasets.synthetic import generate_sequential
from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.layers import BloomEmbedding
from spotlight_compat.sequence.implicit import ImplicitSequenceModel
from spotlight_compat.sequence.representations import CNNNet, LSTMNet, MixtureLSTMNet, PoolNet
from tests.helpers import spotlight_reference

NETWORKS = (PoolNet, LSTMNet, CNNNet, MixtureLSTMNet)
REFERENCE = spotlight_reference()['implicit_sequence']


@pytest.fixture(scope='module')
def sequences():
    data = generate_sequential(num_users=40, num_items=30, num_interactions=3000,
                               concentration_parameter=1e-3, order=2,
                               random_state=np.random.RandomState(0))
    train, test = user_based_train_test_split(data, random_state=np.random.RandomState(1))
    return train.to_sequence(max_sequence_length=10), test.to_sequence(max_sequence_length=10)


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


@pytest.mark.parametrize('representation,loss', [('cnn', 'bpr'), ('mixture', 'adaptive_hinge')])
def test_model_learns_with_spotlights_other_representations(sequences, representation, loss):
    train, test = sequences
    model = ImplicitSequenceModel(loss=loss, representation=representation, n_iter=8,
                                  embedding_dim=16, batch_size=32, random_state=0)
    losses = model.fit(train)
    assert losses[-1] < losses[0]
    assert sequence_mrr_score(model, test).mean() > 0.15  # random ranking: about 0.13
    scores = model.predict(test.sequences[0, :-1])
    np.testing.assert_allclose(model.predict_sequences(test.sequences[:1, :-1])[0], scores,
                               rtol=1e-5, atol=1e-6)


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


def test_epochs_reshuffle_the_previous_order_as_spotlight_does():
    from spotlight_compat.torch_utils import fit_minibatches
    seen = []

    def record(batch):
        seen.append(batch.clone())
        return torch.zeros((), requires_grad=True)

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    fit_minibatches(record, optimizer, 6, 3, 6, np.random.RandomState(4), 'cpu', cumulative=True)
    state = np.random.RandomState(4)
    rows = np.arange(6)
    for epoch in range(3):
        state.shuffle(rows)  # spotlight: sequences = shuffle(sequences), epoch after epoch
        np.testing.assert_array_equal(seen[epoch].numpy(), rows)


def test_model_with_bloom_item_embeddings(sequences):
    train, test = sequences
    representation = PoolNet(train.num_items, embedding_dim=16,
                             item_embedding_layer=BloomEmbedding(train.num_items, 16, 0.5, 2))
    model = ImplicitSequenceModel(loss='bpr', representation=representation, n_iter=5,
                                  batch_size=32, random_state=0)
    model.fit(train)
    assert model.predict(test.sequences[0]).shape == (train.num_items,)
