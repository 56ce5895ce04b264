"""
ImplicitFactorizationModel: with the same random state it draws the same
initial weights, shuffles and negative items as spotlight 0.1.6, so its scores
equal the ones spotlight computed (tests/fixtures/spotlight/reference_values.json)
up to float rounding; the adaptive hinge loss pairs negatives with their own user
(see the class's Notes), so it is checked for learning instead.
"""


import numpy as np
import pytest
import torch

from spotlight_compat.cross_validation import random_train_test_split
from spotlight_compat.datasets.synthetic import generate_sequential
from spotlight_compat.evaluation import mrr_score
from spotlight_compat.factorization.implicit import ImplicitFactorizationModel
from spotlight_compat.factorization.representations import BilinearNet
from spotlight_compat.interactions import Interactions
from spotlight_compat.layers import BloomEmbedding
from spotlight_compat.sampling import sample_items
from tests.helpers import spotlight_reference

REFERENCE = spotlight_reference()['implicit_factorization']


@pytest.fixture(scope='module')
def split():
    data = generate_sequential(num_users=50, num_items=40, num_interactions=2000,
                               random_state=np.random.RandomState(3))
    return random_train_test_split(data, random_state=np.random.RandomState(4))


def fitted(train, loss, seed=5, **kwargs):
    model = ImplicitFactorizationModel(loss=loss, n_iter=3, embedding_dim=8, batch_size=64,
                                       random_state=np.random.RandomState(seed), **kwargs)
    model.fit(train)
    return model


@pytest.mark.parametrize('loss', sorted(REFERENCE['losses']))
def test_same_seed_gives_spotlights_scores(split, loss):
    train, test = split
    model = fitted(train, loss)
    expected = REFERENCE['losses'][loss]
    np.testing.assert_allclose(model.predict(3), expected['predict_user_3'], atol=2e-5)
    np.testing.assert_allclose(mrr_score(model, test, train), expected['mrr'], atol=1e-4)


def test_adaptive_hinge_learns(split):
    train, test = split
    untrained = ImplicitFactorizationModel(loss='adaptive_hinge', n_iter=1, embedding_dim=8,
                                           learning_rate=1e-12, random_state=0)
    untrained.fit(train)
    model = ImplicitFactorizationModel(loss='adaptive_hinge', n_iter=10, embedding_dim=8,
                                       batch_size=64, num_negative_samples=3, random_state=0)
    losses = model.fit(train)
    assert losses[-1] < losses[0]
    assert mrr_score(model, test, train).mean() > mrr_score(untrained, test, train).mean() + 0.015


def test_negative_items_are_spotlights_draws():
    drawn = sample_items(40, (3, 4), random_state=np.random.RandomState(9))
    expected = np.random.RandomState(9).randint(0, 40, (3, 4), dtype=np.int64)
    np.testing.assert_array_equal(drawn, expected)
    assert drawn.dtype == np.int64
    with pytest.raises(ValueError, match='num_items must be a positive integer'):
        sample_items(0, 3)
    with pytest.raises(ValueError, match='every size in shape'):
        sample_items(5, (2, -1))


def test_predict_forms_agree(split):
    train, _ = split
    model = fitted(train, 'bpr')
    every = model.predict(7)
    items = np.arange(train.num_items)
    np.testing.assert_array_equal(model.predict(7, items), every)
    np.testing.assert_array_equal(model.predict(np.repeat(7, len(items)), items), every)
    np.testing.assert_array_equal(model.predict(np.array([[7]]), items[:, None]), every)


def test_bloom_embeddings_through_bilinear_net(split):
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


@pytest.mark.parametrize('kwargs,message', [
    (dict(loss='regression'), "Unknown loss 'regression'"),
    (dict(num_negative_samples=0), 'num_negative_samples must be a positive integer'),
    (dict(n_iter=0), 'n_iter must be a positive integer'),
    (dict(representation='bilinear'), 'representation must be None or a torch.nn.Module'),
])
def test_constructor_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImplicitFactorizationModel(**kwargs)


def test_fit_rejects_empty_or_out_of_range_data(split):
    train, _ = split
    model = ImplicitFactorizationModel(n_iter=1)
    with pytest.raises(ValueError, match='interactions is empty'):
        model.fit(Interactions([], []))
    model.fit(train)
    with pytest.raises(ValueError, match=r'interactions.item_ids contains the id 40, outside'):
        model.fit(Interactions([0], [40]))
