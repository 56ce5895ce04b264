"""
mrr_score, precision_recall_score and sequence_precision_recall_score give the
values spotlight 0.1.6 gives on the same scores (reference values in
tests/fixtures/spotlight/, computed from stub models with many tied scores), and
the values worked out by hand on small cases.
"""


import numpy as np
import pytest

from spotlight_compat.cross_validation import random_train_test_split
from spotlight_compat.evaluation import (mrr_score, precision_recall_score,
                                         sequence_precision_recall_score)
from spotlight_compat.interactions import Interactions, SequenceInteractions
from tests.helpers import spotlight_reference

REFERENCE = spotlight_reference()
METRICS = REFERENCE['metrics']


class UserScores:
    """``predict(user_id)`` returns a fixed row of scores per user."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=np.float32)

    def predict(self, user_ids, item_ids=None):
        return self.scores[user_ids].copy()


class RowScores:
    """``predict(sequence)`` returns the next fixed row of scores, one per call."""

    def __init__(self, scores):
        self.scores, self.calls = np.asarray(scores, dtype=np.float32), 0

    def predict(self, sequence, item_ids=None):
        self.calls += 1
        return self.scores[self.calls - 1].copy()


@pytest.fixture(scope='module')
def case():
    data = Interactions(METRICS['user_ids'], METRICS['item_ids'], num_users=30, num_items=25)
    train, test = random_train_test_split(data, random_state=np.random.RandomState(12))
    return UserScores(METRICS['scores']), train, test


def test_mrr_matches_spotlight(case):
    model, train, test = case
    np.testing.assert_allclose(mrr_score(model, test), METRICS['mrr'], rtol=1e-12)
    np.testing.assert_allclose(mrr_score(model, test, train), METRICS['mrr_train'], rtol=1e-12)


@pytest.mark.parametrize('k', [1, 5])
def test_precision_recall_matches_spotlight(case, k):
    model, train, test = case
    precision, recall = precision_recall_score(model, test, train, k=k)
    assert precision.shape == recall.shape == (len(np.unique(test.user_ids)),)
    np.testing.assert_allclose(precision, METRICS[f'pr_k{k}'][0])
    np.testing.assert_allclose(recall, METRICS[f'pr_k{k}'][1])


def test_precision_recall_with_several_k_gives_a_column_each(case):
    model, _, test = case
    precision, recall = precision_recall_score(model, test, k=[1, 3, 10])
    assert precision.shape == (len(np.unique(test.user_ids)), 3)
    np.testing.assert_allclose(precision, METRICS['pr_k1_3_10_no_train'][0])
    np.testing.assert_allclose(recall, METRICS['pr_k1_3_10_no_train'][1])
    assert precision_recall_score(model, test, k=[2])[0].shape == (len(np.unique(test.user_ids)), 1)


def test_mrr_by_hand():
    # user 0: scores rank items 2 > 1 > 0 = 3; test items 1 and 3 -> ranks 2 and 3.5
    model = UserScores([[0.0, 0.5, 0.9, 0.0], [0.1, 0.2, 0.3, 0.4]])
    test = Interactions([0, 0, 1], [1, 3, 0], num_users=2, num_items=4)
    np.testing.assert_allclose(mrr_score(model, test), [(1 / 2 + 1 / 3.5) / 2, 1 / 4])
    train = Interactions([0], [2], num_users=2, num_items=4)  # item 2 ranks last for user 0
    np.testing.assert_allclose(mrr_score(model, test, train)[0], (1 / 1 + 1 / 2.5) / 2)


def test_precision_recall_by_hand():
    model = UserScores([[0.9, 0.8, 0.1, 0.7, 0.0]])
    test = Interactions([0, 0], [1, 2], num_users=1, num_items=5)
    precision, recall = precision_recall_score(model, test, k=[1, 2, 4])
    np.testing.assert_allclose(precision, [[0.0, 0.5, 0.5]])
    np.testing.assert_allclose(recall, [[0.0, 0.5, 1.0]])


@pytest.mark.parametrize('k,exclude', [(1, False), (3, False), (3, True)])
def test_sequence_precision_recall_matches_spotlight(k, exclude):
    reference = REFERENCE['sequence_precision_recall']
    test = SequenceInteractions(np.array(reference['sequences']), num_items=25)
    precision, recall = sequence_precision_recall_score(RowScores(reference['scores']), test, k=k,
                                                        exclude_preceding=exclude)
    expected = reference[f'k{k}_{exclude}']
    np.testing.assert_allclose(precision, expected[0])
    np.testing.assert_allclose(recall, expected[1])


def test_sequence_precision_recall_by_hand():
    test = SequenceInteractions(np.array([[0, 3, 1, 2]]), num_items=5)
    model = RowScores([[0.0, 0.9, 0.1, 0.8, 0.2]])  # top two: 1, 3; last two items: 1, 2
    precision, recall = sequence_precision_recall_score(model, test, k=2)
    assert precision.tolist() == recall.tolist() == [0.5]


def test_user_metrics_read_a_sparse_matrix_as_spotlight_does():
    # spotlight's bloom_embeddings example scores a model on
    # test.tocsr() + validation.tocsr(): every stored entry of a row is a test item.
    rng = np.random.RandomState(0)
    model = UserScores(rng.rand(6, 9))
    first = Interactions(np.array([0, 1, 1, 4]), np.array([2, 3, 8, 0]), num_users=6, num_items=9)
    second = Interactions(np.array([1, 3, 4]), np.array([5, 1, 7]), num_users=6, num_items=9)
    both = Interactions(np.concatenate([first.user_ids, second.user_ids]),
                        np.concatenate([first.item_ids, second.item_ids]),
                        num_users=6, num_items=9)
    train = Interactions(np.array([0, 3]), np.array([1, 4]), num_users=6, num_items=9)
    summed = first.tocsr() + second.tocsr()
    expected = mrr_score(model, both, train=train)
    assert len(expected) == 4  # users 0, 1, 3 and 4
    np.testing.assert_array_equal(mrr_score(model, summed, train=train), expected)
    np.testing.assert_array_equal(mrr_score(model, summed, train=train.tocsr()), expected)
    for got, want in zip(precision_recall_score(model, summed, train=train, k=3),
                         precision_recall_score(model, both, train=train, k=3)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize('call,message', [
    (lambda: mrr_score(UserScores([[1.0]]), SequenceInteractions([[1, 2]])),
     'test must be Interactions or a scipy.sparse matrix, got SequenceInteractions'),
    (lambda: mrr_score(UserScores([[1.0]]), Interactions([0], [0]), train=[[0, 0]]),
     'train must be Interactions or a scipy.sparse matrix or None, got list'),
    (lambda: precision_recall_score(UserScores([[1.0]]), Interactions([0], [0]), k=0),
     'k must be a positive integer'),
    (lambda: precision_recall_score(UserScores([[1.0]]), Interactions([0], [0]), k=[]),
     'k must be a positive integer or a list of them'),
    (lambda: sequence_precision_recall_score(UserScores([[1.0]]), SequenceInteractions([[1, 2]]),
                                             k=2), 'k=2 leaves no prefix'),
    (lambda: sequence_precision_recall_score(UserScores([[1.0]]), Interactions([0], [0])),
     'test must be SequenceInteractions'),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
