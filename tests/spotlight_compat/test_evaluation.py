"""
spotlight_compat.evaluation: rmse_score, mrr_score, precision_recall_score,
sequence_mrr_score (and its reciprocal_ranks) and sequence_precision_recall_score,
against values worked out by hand on small cases and against spotlight's per-row
ranking; and, in the last section, against the values spotlight 0.1.6 gives on the
same scores (tests/fixtures/spotlight/reference_values.json, computed from stub models
with many tied scores).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotlight_compat.cross_validation import random_train_test_split
from spotlight_compat.evaluation import (mrr_score, precision_recall_score, reciprocal_ranks,
                                         rmse_score, sequence_mrr_score,
                                         sequence_precision_recall_score)
from spotlight_compat.interactions import Interactions, SequenceInteractions
from tests.helpers import StubModel, spotlight_reference

REFERENCE = spotlight_reference()
METRICS = REFERENCE['metrics']


class UserScores:
    """``predict(user_id)`` returns a fixed row of scores per user."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=np.float32)

    def predict(self, user_ids, item_ids=None):
        return self.scores[user_ids].copy()


# --- rmse_score -----------------------------------------------------------------------------

def test_rmse_by_hand():
    test = Interactions([0, 1, 1], [1, 2, 3], ratings=[2.0, 4.0, 3.0])
    model = StubModel([[1.0, 2.0, 3.0]])  # errors 1, 2, 0
    assert rmse_score(model, test) == pytest.approx(np.sqrt(5 / 3))


# --- mrr_score and precision_recall_score ---------------------------------------------------

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


# --- sequence_mrr_score and sequence_precision_recall_score ---------------------------------

@pytest.mark.parametrize('scores,prefix,target,exclude_preceding,expected', [
    ([5, 1, 3, 2], [0], 2, False, 1 / 2),  # only item 0 scores higher
    ([5, 1, 3, 2], [0], 2, True, 1 / 1),  # item 0 is in the prefix: ranked last
    ([3, 3, 3, 1], [1], 2, False, 1 / 2),  # three tied at the top: average rank 2
    ([3, 3, 3, 1], [1], 2, True, 1 / 1.5),  # two tied at the top once item 1 is out
    ([1, 2, 0, 9], [3, 3], 3, True, 1 / 4),  # the target itself in the prefix: ranked last
    ([0, 0, 0, 0], [1], 1, False, 1 / 2.5),
])
def test_reciprocal_ranks_by_hand(scores, prefix, target, exclude_preceding, expected):
    ranks = reciprocal_ranks(np.array([scores], dtype=np.float32), np.array([prefix]),
                             np.array([target]), exclude_preceding)
    assert ranks.tolist() == [pytest.approx(expected)]


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 40), st.integers(2, 30), st.integers(0, 8), st.integers(1, 4),
       st.sampled_from([np.float32, np.float64]), st.integers(1, 50),
       st.integers(0, 2 ** 32 - 1))
def test_batched_mrr_equals_per_row_mrr(num_rows, num_items, length, levels, dtype, batch_size,
                                        seed):
    """The batched path equals spotlight's per-row path, ties and exclusions included."""
    rs = np.random.RandomState(seed)
    # Integer-valued scores from a few levels: many ties, some all-equal rows.
    scores = rs.randint(-levels, levels + 1, size=(num_rows, num_items)).astype(dtype)
    sequences = rs.randint(1, num_items, size=(num_rows, length + 1))
    padding = rs.randint(0, length + 1, size=num_rows)
    sequences[np.arange(length + 1) < padding[:, None]] = 0
    test = SequenceInteractions(sequences, num_items=num_items)
    prefixes = sequences[:, :-1]
    for exclude_preceding in (False, True):
        per_row = sequence_mrr_score(StubModel(scores, prefixes, batched=False), test,
                                     exclude_preceding=exclude_preceding)
        batched = sequence_mrr_score(StubModel(scores, prefixes), test,
                                     exclude_preceding=exclude_preceding, batch_size=batch_size)
        assert per_row.shape == batched.shape == (num_rows,)
        np.testing.assert_allclose(batched, per_row, rtol=0, atol=1e-12)


@pytest.mark.parametrize('batched', [False, True])
def test_mrr_of_no_sequences_is_empty(batched):
    test = Interactions([], [], timestamps=[], num_items=5).to_sequence(4)
    assert sequence_mrr_score(StubModel(np.zeros((0, 5)), batched=batched), test).shape == (0,)


def test_sequence_precision_recall_by_hand():
    test = SequenceInteractions(np.array([[0, 3, 1, 2]]), num_items=5)
    # top two: 1, 3; last two items: 1, 2
    model = StubModel(np.float32([[0.0, 0.9, 0.1, 0.8, 0.2]]), batched=False)
    precision, recall = sequence_precision_recall_score(model, test, k=2)
    assert precision.tolist() == recall.tolist() == [0.5]


# --- Bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize('test,message', [
    (Interactions([0], [1]), 'rmse_score needs test interactions with ratings'),
    (Interactions([], [], ratings=[]), 'test is empty'),
    (SequenceInteractions([[1, 2]]), 'test must be an Interactions object, got SequenceInteractions'),
])
def test_rmse_bad_test(test, message):
    with pytest.raises(ValueError, match=message):
        rmse_score(StubModel([[1.0]]), test)


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
def test_mrr_and_precision_recall_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize('batched', [False, True])
def test_target_the_model_does_not_score(batched):
    test = SequenceInteractions([[1, 2, 3], [1, 2, 7]])
    with pytest.raises(ValueError, match=r"test.sequences contains the id 7, outside \[0, 4\) "
                                         r"given by the model's 4 scores"):
        sequence_mrr_score(StubModel(np.zeros((2, 4)), batched=batched), test)


@pytest.mark.parametrize('test,kwargs,message', [
    (Interactions([0], [1], timestamps=[0]), {},
     'test must be SequenceInteractions, got Interactions; call test.to_sequence'),
    (SequenceInteractions(np.zeros((2, 0), dtype=int)), {}, 'test sequences have length 0'),
    (SequenceInteractions([[1, 2]]), dict(batch_size=0), 'batch_size must be a positive integer, got 0'),
    (SequenceInteractions([[1, 2]]), dict(batch_size=2.5), 'batch_size must be a positive integer, got 2.5'),
    (SequenceInteractions([[1, 2]]), dict(exclude_preceding='yes'),
     "exclude_preceding must be True or False, got 'yes'"),
])
def test_sequence_mrr_bad_input(test, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sequence_mrr_score(StubModel(np.zeros((1, 3))), test, **kwargs)


# --- Against the values spotlight 0.1.6 gives (tests/fixtures/spotlight/) -------------------

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


@pytest.mark.parametrize('k,exclude', [(1, False), (3, False), (3, True)])
def test_sequence_precision_recall_matches_spotlight(k, exclude):
    reference = REFERENCE['sequence_precision_recall']
    test = SequenceInteractions(np.array(reference['sequences']), num_items=25)
    model = StubModel(np.asarray(reference['scores'], dtype=np.float32), batched=False)
    precision, recall = sequence_precision_recall_score(model, test, k=k,
                                                        exclude_preceding=exclude)
    expected = reference[f'k{k}_{exclude}']
    np.testing.assert_allclose(precision, expected[0])
    np.testing.assert_allclose(recall, expected[1])
