"""
Property-based tests: splits, sequences, the batched MRR and the id mapping hold
their invariants on random small datasets (users 1..20, items 1..30, 1..200
interactions, timestamps with many ties).
"""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.id_mapping import IdMapping, interactions_from_keys
from spotlight_compat.interactions import Interactions, SequenceInteractions

SETTINGS = settings(max_examples=100, deadline=None)

rows = st.lists(st.tuples(st.integers(1, 20), st.integers(1, 30), st.integers(0, 8)),
                min_size=1, max_size=200)


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
@given(rows, st.floats(0.0, 1.0), st.integers(0, 2 ** 32 - 1))
def test_random_split_is_a_partition(rows, test_percentage, seed):
    data = build(rows)
    train, test = random_train_test_split(data, test_percentage, np.random.RandomState(seed))
    assert_partition(data, train, test)
    assert len(train) == int((1.0 - test_percentage) * len(data))


@SETTINGS
@given(rows, st.floats(0.0, 1.0), st.integers(0, 2 ** 32 - 1))
def test_user_based_split_is_a_partition_by_user(rows, test_percentage, seed):
    data = build(rows)
    train, test = user_based_train_test_split(data, test_percentage, np.random.RandomState(seed))
    assert_partition(data, train, test)
    assert not set(train.user_ids.tolist()) & set(test.user_ids.tolist())
    if test_percentage == 0.0:
        assert len(test) == 0
    if test_percentage == 1.0:
        assert len(train) == 0


def user_histories(data):
    """Each user's items in time order, ties in input order."""
    histories = {}
    for index in np.argsort(data.timestamps, kind='stable'):
        histories.setdefault(int(data.user_ids[index]), []).append(int(data.item_ids[index]))
    return histories


@SETTINGS
@given(rows, st.integers(1, 12), st.data())
def test_to_sequence_rows_are_left_padded_time_ordered_windows(rows, max_length, data):
    step = data.draw(st.integers(1, 15), label='step_size')
    interactions = build(rows)
    histories = user_histories(interactions)
    unfiltered = interactions.to_sequence(max_length, step_size=step)
    sequences, users = unfiltered.sequences, unfiltered.user_ids
    assert sequences.shape[1] == max_length and sequences.dtype == np.int32
    assert unfiltered.num_items == interactions.num_items

    # Rows are grouped by user, ceil(count / step) rows each.
    assert users.tolist() == sorted(users.tolist())
    for user, history in histories.items():
        assert np.count_nonzero(users == user) == math.ceil(len(history) / step)

    # Each row: zeros, then a contiguous window of the history ending k * step before its end.
    for user in histories:
        history = histories[user]
        for k, row in enumerate(sequences[users == user]):
            length = np.count_nonzero(row)
            assert np.all(row[:max_length - length] == 0) and np.all(row[max_length - length:] != 0)
            end = len(history) - k * step
            assert row[max_length - length:].tolist() == history[max(end - max_length, 0):end]

    # min_sequence_length keeps exactly the rows with that many items.
    min_length = data.draw(st.integers(1, max_length), label='min_sequence_length')
    filtered = interactions.to_sequence(max_length, min_sequence_length=min_length, step_size=step)
    keep = np.count_nonzero(sequences, axis=1) >= min_length
    np.testing.assert_array_equal(filtered.sequences, sequences[keep])
    np.testing.assert_array_equal(filtered.user_ids, users[keep])


@SETTINGS
@given(rows, st.integers(1, 12))
def test_non_overlapping_windows_hold_every_interaction_once(rows, max_length):
    interactions = build(rows)
    sequences = interactions.to_sequence(max_length, step_size=max_length)
    assert np.count_nonzero(sequences.sequences) == len(interactions)
    for user, history in user_histories(interactions).items():
        windows = sequences.sequences[sequences.user_ids == user][::-1]
        assert [item for row in windows for item in row if item] == history


class PerRowModel:
    """Only ``predict``: the i-th call returns the i-th row of the score matrix."""

    def __init__(self, scores, prefixes):
        self.scores, self.prefixes, self.calls = scores, prefixes, 0

    def predict(self, sequence):
        np.testing.assert_array_equal(sequence, self.prefixes[self.calls])
        self.calls += 1
        return self.scores[self.calls - 1].copy()


class BatchedModel(PerRowModel):
    """Also ``predict_sequences``: consecutive chunks of rows."""

    def predict_sequences(self, prefixes):
        rows = slice(self.calls, self.calls + len(prefixes))
        np.testing.assert_array_equal(prefixes, self.prefixes[rows])
        self.calls += len(prefixes)
        return self.scores[rows].copy()


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 40), st.integers(2, 30), st.integers(1, 8), st.integers(1, 4),
       st.sampled_from([np.float32, np.float64]), st.integers(1, 50),
       st.integers(0, 2 ** 32 - 1))
def test_batched_mrr_equals_per_row_mrr(num_rows, num_items, length, levels, dtype, batch_size,
                                        seed):
    rs = np.random.RandomState(seed)
    # Integer-valued scores from a few levels: many ties, some all-equal rows.
    scores = rs.randint(-levels, levels + 1, size=(num_rows, num_items)).astype(dtype)
    sequences = rs.randint(1, num_items, size=(num_rows, length + 1))
    padding = rs.randint(0, length + 1, size=num_rows)
    sequences[np.arange(length + 1) < padding[:, None]] = 0
    test = SequenceInteractions(sequences, num_items=num_items)
    for exclude_preceding in (False, True):
        per_row = sequence_mrr_score(PerRowModel(scores, sequences[:, :-1]), test,
                                     exclude_preceding=exclude_preceding)
        batched = sequence_mrr_score(BatchedModel(scores, sequences[:, :-1]), test,
                                     exclude_preceding=exclude_preceding, batch_size=batch_size)
        assert per_row.shape == batched.shape == (num_rows,)
        np.testing.assert_allclose(batched, per_row, rtol=0, atol=1e-12)
        assert np.all(batched > 0) and np.all(batched <= 1)


# Numpy's fixed-width strings drop trailing NUL characters, so keys ending in
# '\x00' are left out (a limitation of string keys, documented here).
text_keys = st.text(alphabet=st.characters(exclude_characters='\x00'), max_size=6)
key_lists = st.one_of(st.lists(text_keys, min_size=1, max_size=60),
                      st.lists(st.integers(0, 10 ** 6), min_size=1, max_size=60))


@SETTINGS
@given(key_lists, st.integers(0, 3))
def test_id_mapping_round_trip_and_contiguous_ids(keys, first_id):
    mapping = IdMapping(keys, first_id=first_id)
    ids = mapping.to_ids(keys)
    assert mapping.to_keys(ids).tolist() == keys
    distinct = list(dict.fromkeys(keys))  # in order of first appearance
    assert len(mapping) == len(distinct) and mapping.num_ids == first_id + len(distinct)
    assert mapping.to_ids(distinct).tolist() == list(range(first_id, first_id + len(distinct)))


@SETTINGS
@given(st.lists(st.tuples(text_keys, st.integers(0, 40)), min_size=1, max_size=100))
def test_interactions_from_keys_round_trip(pairs):
    user_keys = [user for user, _ in pairs]
    item_keys = [item for _, item in pairs]
    interactions, users, items = interactions_from_keys(user_keys, item_keys,
                                                        timestamps=np.arange(len(pairs)))
    assert users.to_keys(interactions.user_ids).tolist() == user_keys
    assert items.to_keys(interactions.item_ids).tolist() == item_keys
    for ids, mapping, count in ((interactions.user_ids, users, interactions.num_users),
                                (interactions.item_ids, items, interactions.num_items)):
        assert sorted(set(ids.tolist())) == list(range(1, len(mapping) + 1))
        assert count == len(mapping) + 1
    interactions.to_sequence(5)  # ids from 1: no clash with the padding id
