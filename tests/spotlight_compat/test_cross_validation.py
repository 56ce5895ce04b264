"""
spotlight_compat.cross_validation: random_train_test_split, user_based_train_test_split
and shuffle_interactions, against our own expectations: properties checked on random data
(hypothesis) -- each split a partition, the random split cut where spotlight cuts its
shuffle of the row numbers -- seeding, and the errors for bad arguments. MovieLens 100K's
splits against spotlight's are in test_golden_values.py.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import random_interactions
from spotlight_compat.cross_validation import (random_train_test_split, shuffle_interactions,
                                               user_based_train_test_split)
from spotlight_compat.interactions import Interactions

SETTINGS = settings(max_examples=100, deadline=None)

rows = st.lists(st.tuples(st.integers(1, 20), st.integers(1, 30), st.integers(0, 8)),
                min_size=1, max_size=200)
fractions = st.floats(0.0, 1.0, exclude_min=True, exclude_max=True)
seeds = st.integers(0, 2 ** 32 - 1)


def build(rows):
    """Interactions from (user, item, timestamp) rows; the weight of row i is i (its identity)."""
    users, items, times = (np.array(column) for column in zip(*rows))
    ratings = (users * 7 + items) % 5 + 1.0
    return Interactions(users, items, ratings=ratings, timestamps=times,
                        weights=np.arange(len(rows)), num_users=21, num_items=31)


def assert_partition(data, train, test):
    """Every interaction lands in exactly one part, unchanged; the shape is kept."""
    assert len(train) + len(test) == len(data)
    identity = np.concatenate([train.weights, test.weights]).astype(np.int64)
    assert sorted(identity.tolist()) == list(range(len(data)))
    for part in (train, test):
        index = part.weights.astype(np.int64)
        for field in ('user_ids', 'item_ids', 'ratings', 'timestamps'):
            np.testing.assert_array_equal(getattr(part, field), getattr(data, field)[index])
        assert (part.num_users, part.num_items) == (data.num_users, data.num_items)


@SETTINGS
@given(rows, fractions, seeds)
def test_random_split_is_a_partition_cut_at_the_percentage(rows, test_percentage, seed):
    data = build(rows)
    train, test = random_train_test_split(data, test_percentage, np.random.RandomState(seed))
    assert_partition(data, train, test)
    assert len(train) == int((1.0 - test_percentage) * len(data))


@SETTINGS
@given(rows, fractions, seeds)
def test_user_based_split_is_a_partition_by_user(rows, test_percentage, seed):
    data = build(rows)
    train, test = user_based_train_test_split(data, test_percentage, np.random.RandomState(seed))
    assert_partition(data, train, test)
    assert not set(train.user_ids.tolist()) & set(test.user_ids.tolist())


@SETTINGS
@given(rows, seeds)
def test_shuffle_is_a_permutation(rows, seed):
    data = build(rows)
    shuffled = shuffle_interactions(data, np.random.RandomState(seed))
    assert sorted(shuffled.weights.tolist()) == list(range(len(data)))
    for field in ('user_ids', 'item_ids', 'ratings', 'timestamps'):
        np.testing.assert_array_equal(getattr(shuffled, field),
                                      getattr(data, field)[shuffled.weights.astype(np.int64)])


@SETTINGS
@given(rows, fractions, seeds)
def test_random_split_cuts_spotlights_shuffle_of_the_row_numbers(rows, test_percentage, seed):
    data = build(rows)
    order = np.arange(len(data))
    np.random.RandomState(seed).shuffle(order)
    cutoff = int((1.0 - test_percentage) * len(data))
    train, test = random_train_test_split(data, test_percentage, np.random.RandomState(seed))
    np.testing.assert_array_equal(train.weights.astype(np.int64), order[:cutoff])
    np.testing.assert_array_equal(test.weights.astype(np.int64), order[cutoff:])


def test_user_based_split_share_of_users():
    data = random_interactions(num_users=2000, n=20000)
    _, test = user_based_train_test_split(data, test_percentage=0.3,
                                          random_state=np.random.RandomState(1))
    share = len(np.unique(test.user_ids)) / len(np.unique(data.user_ids))
    assert abs(share - 0.3) < 0.05, share


@pytest.mark.parametrize('split', [random_train_test_split, user_based_train_test_split,
                                   shuffle_interactions])
def test_seeded_splits_are_reproducible_and_depend_on_the_seed(split):
    data = random_interactions()

    def run(random_state):
        parts = split(data, random_state=random_state)
        parts = parts if isinstance(parts, tuple) else (parts,)
        return [part.user_ids.tolist() + part.item_ids.tolist() for part in parts]

    assert run(np.random.RandomState(7)) == run(np.random.RandomState(7))
    assert run(7) == run(np.random.RandomState(7))  # an int is a seed
    assert run(np.random.RandomState(7)) != run(np.random.RandomState(8))


@pytest.mark.parametrize('split', [random_train_test_split, user_based_train_test_split])
@pytest.mark.parametrize('test_percentage,message', [
    (0.0, 'strictly between 0 and 1, got 0.0'), (1.0, 'strictly between 0 and 1, got 1.0'),
    (1.5, 'strictly between 0 and 1, got 1.5'), (-0.2, 'strictly between 0 and 1, got -0.2'),
    (float('nan'), 'a number in \\(0, 1\\), got nan'), ('0.2', "got '0.2'"),
    (True, 'got True'), (None, 'got None'),
])
def test_bad_test_percentage(split, test_percentage, message):
    with pytest.raises(ValueError, match=f'test_percentage must .*{message}'):
        split(random_interactions(), test_percentage=test_percentage)


@pytest.mark.parametrize('split', [random_train_test_split, user_based_train_test_split,
                                   shuffle_interactions])
def test_bad_interactions_and_random_state(split):
    with pytest.raises(ValueError, match='interactions must be an Interactions object, got list'):
        split([1, 2, 3])
    for random_state, message in ((np.random.default_rng(0), 'np.random.Generator'),
                                  (True, 'got True'), (-1, 'got -1'), ('0', "got '0'")):
        with pytest.raises(ValueError, match=f'random_state must be None, .*{message}'):
            split(random_interactions(), random_state=random_state)
