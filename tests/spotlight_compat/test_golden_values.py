"""
Across modules, against the golden values measured with spotlight v0.1.6 itself
(../shared/golden, copied under tests/fixtures/golden): datasets.movielens's MovieLens
100K arrays, cross_validation's splits and interactions.to_sequence's layouts bit for
bit, evaluation's metric cases exactly, the two baselines (factorization, sequence)
statistically; and the explicit model passes the RMSE thresholds of spotlight's own tests.
"""

import numpy as np
import pytest

from tests.helpers import StubModel, fingerprint, load_golden
from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight_compat.evaluation import rmse_score, sequence_mrr_score
from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
from spotlight_compat.interactions import Interactions, SequenceInteractions
from spotlight_compat.sequence.implicit import ImplicitSequenceModel

SPLITS = load_golden('ml100k_splits.json')
METRICS = load_golden('metric_cases.json')
BASELINES = load_golden('spotlight_baselines.json')


def assert_interactions_match(interactions, expected):
    assert len(interactions) == expected['len']
    assert interactions.num_users == expected['num_users']
    assert interactions.num_items == expected['num_items']
    for field, dtype in (('user_ids', '<i4'), ('item_ids', '<i4'), ('timestamps', '<i4'),
                         ('ratings', '<f4')):
        assert fingerprint(getattr(interactions, field), dtype) == expected[field], field


def assert_sequences_match(sequences, expected):
    assert list(sequences.sequences.shape) == expected['shape']
    assert sequences.num_items == expected['num_items']
    assert fingerprint(sequences.sequences, '<i4') == expected['sequences']
    assert fingerprint(sequences.user_ids, '<i4') == expected['user_ids']


def test_dataset(movielens):
    assert_interactions_match(movielens, SPLITS['dataset'])
    assert movielens.user_ids.dtype == np.int32 and movielens.ratings.dtype == np.float32
    assert repr(movielens) == '<Interactions dataset (944 users x 1683 items x 100000 interactions)>'


def test_dataset_to_sequence(movielens):
    assert_sequences_match(movielens.to_sequence(), SPLITS['dataset']['to_sequence_default'])


@pytest.mark.parametrize('seed', sorted(SPLITS['seeds']))
def test_random_split(movielens, seed):
    expected = SPLITS['seeds'][seed]['random_train_test_split']
    train, test = random_train_test_split(movielens, random_state=np.random.RandomState(int(seed)))
    assert_interactions_match(train, expected['train'])
    assert_interactions_match(test, expected['test'])


@pytest.mark.parametrize('seed', sorted(SPLITS['seeds']))
def test_user_based_split_and_sequences(movielens, seed):
    expected = SPLITS['seeds'][seed]['user_based_train_test_split']
    train, test = user_based_train_test_split(movielens,
                                              random_state=np.random.RandomState(int(seed)))
    assert_interactions_match(train, expected['train'])
    assert_interactions_match(test, expected['test'])
    assert_sequences_match(train.to_sequence(), expected['train_to_sequence'])
    assert_sequences_match(test.to_sequence(), expected['test_to_sequence'])
    assert_sequences_match(
        test.to_sequence(max_sequence_length=20, min_sequence_length=5, step_size=3),
        expected['test_to_sequence_len20_min5_step3'])


def test_sequence_repr(movielens):
    train, _ = user_based_train_test_split(movielens, random_state=np.random.RandomState(0))
    sequences = train.to_sequence()
    assert repr(sequences) == (f'<Sequence interactions dataset ({len(sequences.sequences)} '
                               'sequences x 10 sequence length)>')


@pytest.mark.parametrize('batched', [False, True])
@pytest.mark.parametrize('exclude_preceding,key', [(False, 'mrr'),
                                                    (True, 'mrr_exclude_preceding')])
def test_sequence_mrr_cases(batched, exclude_preceding, key):
    scores = np.array(METRICS['scores'])
    test = SequenceInteractions(np.array(METRICS['sequences']), num_items=scores.shape[1])
    model = StubModel(scores, test.sequences[:, :-1], batched=batched)
    mrr = sequence_mrr_score(model, test, exclude_preceding=exclude_preceding, batch_size=7)
    np.testing.assert_allclose(mrr, METRICS[key], rtol=0, atol=1e-12)


def test_rmse_case():
    case = METRICS['rmse']
    ratings = np.array(case['ratings'], dtype=np.float32)
    test = Interactions(np.zeros(len(ratings), dtype=int), np.arange(len(ratings)), ratings=ratings)
    model = StubModel([np.array(case['predictions'], dtype=np.float32)])
    assert rmse_score(model, test) == pytest.approx(case['rmse'], abs=1e-6)


# --- The baselines match spotlight statistically on the identical splits of seeds 0-4 -------

@pytest.mark.slow
def test_explicit_factorization_matches_spotlight(movielens):
    rmses = []
    for seed in BASELINES['seeds']:
        random_state = np.random.RandomState(seed)
        train, test = random_train_test_split(movielens, random_state=random_state)
        model = ExplicitFactorizationModel(n_iter=3, random_state=random_state)
        model.fit(train)
        rmses.append(rmse_score(model, test))
    expected = BASELINES['ExplicitFactorizationModel(n_iter=3)']['rmse_mean']
    assert abs(np.mean(rmses) - expected) <= 0.01, rmses


@pytest.mark.slow
def test_pooling_sequence_model_matches_spotlight(movielens):
    mrrs = []
    for seed in BASELINES['seeds']:
        random_state = np.random.RandomState(seed)
        train, test = user_based_train_test_split(movielens, random_state=random_state)
        model = ImplicitSequenceModel(n_iter=3, representation='pooling', loss='pointwise',
                                      random_state=random_state)
        model.fit(train.to_sequence())
        mrrs.append(sequence_mrr_score(model, test.to_sequence()).mean())
    key = 'ImplicitSequenceModel(n_iter=3, representation=pooling, loss=pointwise)'
    assert abs(np.mean(mrrs) - BASELINES[key]['mrr_mean']) <= 0.003, mrrs


@pytest.mark.slow
@pytest.mark.parametrize('loss,l2,threshold', [('regression', 1e-5, 1.0), ('poisson', 1e-6, 1.0),
                                               ('logistic', 1e-6, 1.05)])
def test_spotlights_own_explicit_acceptance_thresholds(movielens, loss, l2, threshold):
    """spotlight's tests/factorization/test_explicit.py, seeded: the test RMSE of each loss."""
    ratings = movielens.ratings
    if loss == 'logistic':  # ratings above 3 are +1, the others -1
        ratings = (ratings > 3).astype(np.float32) * 2 - 1
    data = Interactions(movielens.user_ids, movielens.item_ids, ratings=ratings,
                        num_users=movielens.num_users, num_items=movielens.num_items)
    train, test = random_train_test_split(data, random_state=np.random.RandomState(42))
    model = ExplicitFactorizationModel(loss=loss, n_iter=10, batch_size=1024, learning_rate=1e-3,
                                       l2=l2, use_cuda=False,
                                       random_state=np.random.RandomState(42))
    model.fit(train)
    assert rmse_score(model, test) - 0.005 < threshold
