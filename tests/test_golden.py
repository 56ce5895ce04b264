"""spotlight_compat reproduces the reference values computed with spotlight itself."""

import numpy as np
import pytest

from conftest import fingerprint, load_golden
from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight_compat.evaluation import rmse_score, sequence_mrr_score
from spotlight_compat.interactions import SequenceInteractions

SPLITS = load_golden('ml100k_splits.json')
METRICS = load_golden('metric_cases.json')


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


class ScoresByRow:
    """A model whose n-th predict call returns row n of the golden scores."""

    def __init__(self, scores):
        self.scores = scores
        self.calls = 0

    def predict(self, sequence):
        row = self.scores[self.calls].copy()
        self.calls += 1
        return row


class BatchedScores(ScoresByRow):
    def predict_sequences(self, prefixes):
        rows = self.scores[self.calls:self.calls + len(prefixes)]
        self.calls += len(prefixes)
        return rows.copy()


@pytest.mark.parametrize('model_class', [ScoresByRow, BatchedScores])
@pytest.mark.parametrize('exclude_preceding,key', [(False, 'mrr'),
                                                    (True, 'mrr_exclude_preceding')])
def test_sequence_mrr_cases(model_class, exclude_preceding, key):
    scores = np.array(METRICS['scores'])
    test = SequenceInteractions(np.array(METRICS['sequences']), num_items=scores.shape[1])
    mrr = sequence_mrr_score(model_class(scores), test, exclude_preceding=exclude_preceding,
                             batch_size=7)
    np.testing.assert_allclose(mrr, METRICS[key], rtol=0, atol=1e-12)


def test_rmse_case():
    case = METRICS['rmse']

    class Fixed:
        def predict(self, user_ids, item_ids):
            return np.array(case['predictions'], dtype=np.float32)

    class Test:
        user_ids = item_ids = None
        ratings = np.array(case['ratings'], dtype=np.float32)

    assert rmse_score(Fixed(), Test()) == pytest.approx(case['rmse'], abs=1e-6)
