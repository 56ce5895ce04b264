"""
The re-implemented baselines match spotlight statistically on the identical
splits of seeds 0-4 (reference values in fixtures/golden/spotlight_baselines.json).
"""

import numpy as np
import pytest

from conftest import load_golden, random_interactions
from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight_compat.evaluation import rmse_score, sequence_mrr_score
from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
from spotlight_compat.interactions import Interactions
from spotlight_compat.sequence.implicit import ImplicitSequenceModel

REFERENCE = load_golden('spotlight_baselines.json')
SEEDS = REFERENCE['seeds']


@pytest.mark.slow
def test_explicit_factorization_matches_spotlight(movielens):
    rmses = []
    for seed in SEEDS:
        random_state = np.random.RandomState(seed)
        train, test = random_train_test_split(movielens, random_state=random_state)
        model = ExplicitFactorizationModel(n_iter=3, device='cpu', random_state=random_state)
        model.fit(train)
        rmses.append(rmse_score(model, test))
    expected = REFERENCE['ExplicitFactorizationModel(n_iter=3)']['rmse_mean']
    assert abs(np.mean(rmses) - expected) <= 0.01, rmses


@pytest.mark.slow
def test_pooling_sequence_model_matches_spotlight(movielens):
    mrrs = []
    for seed in SEEDS:
        random_state = np.random.RandomState(seed)
        train, test = user_based_train_test_split(movielens, random_state=random_state)
        model = ImplicitSequenceModel(n_iter=3, representation='pooling', loss='pointwise',
                                      device='cpu', random_state=random_state)
        model.fit(train.to_sequence())
        mrrs.append(sequence_mrr_score(model, test.to_sequence()).mean())
    key = 'ImplicitSequenceModel(n_iter=3, representation=pooling, loss=pointwise)'
    assert abs(np.mean(mrrs) - REFERENCE[key]['mrr_mean']) <= 0.003, mrrs


@pytest.fixture(scope='module')
def small_sequences():
    """Each user walks through the items in a cycle: the next item is learnable."""
    users = np.repeat(np.arange(40), 20)
    steps = np.tile(np.arange(20), 40)
    items = (users + steps) % 29 + 1
    return Interactions(users, items, timestamps=steps).to_sequence(max_sequence_length=6)


@pytest.mark.parametrize('representation', ['pooling', 'lstm'])
@pytest.mark.parametrize('loss', ['pointwise', 'bpr', 'hinge', 'adaptive_hinge'])
def test_sequence_model_trains_and_batched_scores_match(small_sequences, representation, loss):
    model = ImplicitSequenceModel(loss=loss, representation=representation, n_iter=10, batch_size=16,
                                  device='cpu', random_state=np.random.RandomState(0))
    losses = model.fit(small_sequences)
    assert losses[-1] < losses[0]
    prefixes = small_sequences.sequences[:, :-1]
    batched = model.predict_sequences(prefixes)
    assert batched.shape == (len(prefixes), small_sequences.num_items)
    np.testing.assert_allclose(batched[3], model.predict(prefixes[3]), rtol=1e-5, atol=1e-6)


class RowByRow:
    """Hides a model's batched method so the evaluation takes the per-row path."""

    def __init__(self, model):
        self.predict = model.predict


@pytest.mark.parametrize('exclude_preceding', [False, True])
def test_batched_mrr_equals_per_row_mrr(small_sequences, exclude_preceding):
    model = ImplicitSequenceModel(n_iter=2, device='cpu', random_state=np.random.RandomState(1))
    model.fit(small_sequences)
    batched = sequence_mrr_score(model, small_sequences, exclude_preceding, batch_size=16)
    per_row = sequence_mrr_score(RowByRow(model), small_sequences, exclude_preceding)
    np.testing.assert_allclose(batched, per_row, rtol=0, atol=1e-6)


def test_sequence_model_inputs():
    model = ImplicitSequenceModel(n_iter=1, device='cpu', random_state=np.random.RandomState(0))
    data = random_interactions(num_users=10, num_items=12, n=100).to_sequence(5)
    model.fit(data)
    assert model.predict(np.array([], dtype=int)).shape == (12,)  # empty prefix
    assert model.predict(np.zeros(4, dtype=int)).shape == (12,)  # all padding
    assert model.predict(np.arange(1, 12)).shape == (12,)  # longer than training rows
    with pytest.raises(ValueError, match=r'outside \[0, 12\)'):
        model.predict(np.array([3, 12]))
    with pytest.raises(RuntimeError, match='fit'):
        ImplicitSequenceModel().predict(np.array([1]))
    with pytest.raises(ValueError, match='Unknown representation'):
        ImplicitSequenceModel(representation='cnn')


def test_explicit_model_inputs_and_determinism():
    data = random_interactions()
    fits = []
    for _ in range(2):
        model = ExplicitFactorizationModel(n_iter=2, device='cpu',
                                           random_state=np.random.RandomState(5))
        fits.append((model.fit(data), model.predict(data.user_ids, data.item_ids)))
    assert fits[0][0] == fits[1][0]
    np.testing.assert_array_equal(fits[0][1], fits[1][1])
    assert model.predict(3).shape == (data.num_items,)
    with pytest.raises(ValueError, match='user_ids contains 30, outside the fitted range'):
        model.predict(np.array([30]), np.array([1]))
    with pytest.raises(ValueError, match='needs interactions with ratings'):
        ExplicitFactorizationModel().fit(type(data)([0], [1]))
