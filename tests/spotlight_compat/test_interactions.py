"""
spotlight_compat.interactions: Interactions, SequenceInteractions and to_sequence,
against our own expectations: spotlight's defaults, dtypes, repr and sparse matrices, the
errors for bad input, and to_sequence against a plain per-user loop written from
spotlight's documented behaviour and against properties checked on random data
(hypothesis). MovieLens 100K's sequences against spotlight's are in test_golden_values.py.
"""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import random_interactions
from spotlight_compat.interactions import Interactions, SequenceInteractions

SETTINGS = settings(max_examples=100, deadline=None)


# --- Building Interactions ------------------------------------------------------------------

def test_defaults_and_repr():
    data = Interactions([0, 3], [5, 1], ratings=[4.0, 2.5])
    assert data.num_users == 4 and data.num_items == 6 and len(data) == 2
    assert data.user_ids.dtype == np.int32 and data.ratings.dtype == np.float32
    assert data.timestamps is None and data.weights is None
    assert repr(data) == '<Interactions dataset (4 users x 6 items x 2 interactions)>'


def test_sparse_matrices():
    data = Interactions([0, 1, 1], [2, 0, 3], ratings=[5.0, 1.0, 3.0], num_items=5)
    dense = data.tocsr().toarray()
    assert isinstance(data.tocoo(), sp.coo_matrix) and dense.shape == (2, 5)
    assert dense[0, 2] == 5.0 and dense[1, 0] == 1.0 and dense[1, 3] == 3.0 and dense.sum() == 9
    assert Interactions([0, 1], [1, 1]).tocsr().toarray().tolist() == [[0, 1], [0, 1]]


def test_float_ids_that_are_integers_are_accepted():
    data = Interactions(np.array([0.0, 2.0]), np.array([1.0, 3.0]))
    assert data.user_ids.tolist() == [0, 2] and data.user_ids.dtype == np.int32


FRAME = pd.DataFrame({'user': [1, 2, 2, 5], 'item': [3, 1, 4, 1],
                      'rating': [4.0, 3.5, 5.0, 1.0], 'timestamp': [10, 30, 20, 5]})


def test_pandas_columns_and_lists_agree():
    from_pandas = Interactions(FRAME['user'], FRAME['item'], ratings=FRAME['rating'],
                               timestamps=FRAME['timestamp'])
    from_lists = Interactions(*(FRAME[column].tolist() for column in FRAME.columns))
    for data in (from_pandas, from_lists):
        assert (data.num_users, data.num_items, len(data)) == (6, 5, 4)
        assert data.user_ids.dtype == data.item_ids.dtype == data.timestamps.dtype == np.int32
        assert data.ratings.dtype == np.float32
        assert data.to_sequence(2).sequences.tolist() == [[0, 3], [4, 1], [0, 1]]


def test_millisecond_timestamps_keep_their_order():
    """Epoch milliseconds do not fit in int32; they must not wrap around."""
    stamps = np.array([1_600_000_000_000, 1_700_000_000_000, 1_650_000_000_000])
    data = Interactions([1, 1, 1], [1, 2, 3], timestamps=stamps)
    np.testing.assert_array_equal(data.timestamps, stamps)
    assert data.to_sequence(3).sequences.tolist() == [[1, 3, 2]]


def test_empty_interactions_give_empty_sequences():
    empty_frame = FRAME[FRAME['user'] > 100]
    for data, shape in ((Interactions([], [], timestamps=[]), (0, 0)),
                        (Interactions(empty_frame['user'], empty_frame['item'],
                                      timestamps=empty_frame['timestamp'], num_users=6,
                                      num_items=5), (6, 5))):
        assert len(data) == 0 and (data.num_users, data.num_items) == shape
        for kwargs in (dict(), dict(min_sequence_length=2), dict(step_size=1)):
            sequences = data.to_sequence(4, **kwargs)
            assert sequences.sequences.shape == (0, 4) and len(sequences.user_ids) == 0
            assert sequences.num_items == data.num_items


# Each case: the arguments that differ from user_ids=[1, 2], item_ids=[1, 2], and a pattern
# naming the argument and the bad value.
BAD_INPUTS = [
    (dict(user_ids=[0, 5], num_users=3), r'user_ids contains the id 5, outside \[0, 3\).*num_users=3'),
    (dict(item_ids=[1, 9], num_items=4), r'item_ids contains the id 9, outside \[0, 4\).*num_items=4'),
    (dict(num_users=-1), 'num_users must be a non-negative integer or None, got -1'),
    (dict(num_items=2.5), 'num_items must be a non-negative integer or None, got 2.5'),
    (dict(num_items=True), 'num_items must be a non-negative integer or None, got True'),
    (dict(num_users='10'), "num_users must be a non-negative integer or None, got '10'"),
    (dict(user_ids=[0, 1, 2]), 'item_ids has 2 entries but user_ids has 3'),
    (dict(ratings=[1.0]), 'ratings has 1 entries but user_ids has 2'),
    (dict(timestamps=[1, 2, 3]), 'timestamps has 3 entries but user_ids has 2'),
    (dict(weights=[1.0]), 'weights has 1 entries but user_ids has 2'),
    (dict(user_ids=[0, -1]), 'user_ids contains the negative id -1'),
    (dict(item_ids=pd.Series([3, -7])), 'item_ids contains the negative id -7'),
    (dict(user_ids=[0, 2 ** 31]), 'user_ids contains the id 2147483648, too large for int32'),
    (dict(user_ids=[True, False]), 'user_ids is a boolean array'),
    (dict(item_ids=np.array([1, 0], dtype=bool)), 'item_ids is a boolean array'),
    (dict(user_ids=['a', 'b']), 'user_ids has dtype <U1'),
    (dict(user_ids=pd.Series(['1', '2'])), 'user_ids has dtype object'),
    (dict(item_ids=pd.Series(['x', 'y'], dtype='string')), 'item_ids has dtype object'),
    (dict(user_ids=pd.array([1, None], dtype='Int64')), 'user_ids contains nan; ids must be finite'),
    (dict(user_ids=[0.5, 1]), 'user_ids contains the non-integer id 0.5'),
    (dict(user_ids=pd.Series([1.0, np.nan])), 'user_ids contains nan; ids must be finite'),
    (dict(item_ids=[1.0, np.inf]), 'item_ids contains inf; ids must be finite'),
    (dict(user_ids=[[0, 1]]), r'user_ids must be 1-dimensional, got shape \(1, 2\)'),
    (dict(item_ids=3), r'item_ids must be 1-dimensional, got shape \(\)'),
    (dict(ratings=[1.0, np.nan]), 'ratings contains nan at position 1'),
    (dict(ratings=pd.Series([np.inf, 4.0])), 'ratings contains inf at position 0'),
    (dict(ratings=[1.0, -np.inf]), 'ratings contains -inf at position 1'),
    (dict(ratings=['good', 'bad']), 'ratings has dtype <U4'),
    (dict(ratings=[True, False]), 'ratings has dtype bool.*astype'),
    (dict(ratings=[[1.0, 2.0]]), r'ratings must be one-dimensional, got shape \(1, 2\)'),
    (dict(weights=[1.0, np.nan]), 'weights contains nan at position 1'),
    (dict(weights=['1', '2']), 'weights has dtype <U1'),
    (dict(timestamps=[np.nan, 3.0]), 'timestamps contains nan at position 0'),
    (dict(timestamps=[1.0, np.inf]), 'timestamps contains inf at position 1'),
    (dict(timestamps=['2020-01-01', '2020-01-02']), 'timestamps has dtype <U10'),
    (dict(timestamps=pd.to_datetime(['2020-01-01', '2020-01-02'])), 'timestamps has dtype datetime64'),
    (dict(timestamps=[True, False]), 'timestamps has dtype bool'),
    (dict(timestamps=[[1, 2]]), r'timestamps must be one-dimensional, got shape \(1, 2\)'),
]


@pytest.mark.parametrize('override,message', BAD_INPUTS,
                         ids=[f'{i}-{next(iter(case))}' for i, (case, _) in enumerate(BAD_INPUTS)])
def test_bad_input_raises_value_error_naming_argument_and_value(override, message):
    arguments = dict(user_ids=[1, 2], item_ids=[1, 2])
    arguments.update(override)
    with pytest.raises(ValueError, match=message):
        Interactions(**arguments)


# --- to_sequence ----------------------------------------------------------------------------

def reference_to_sequence(interactions, max_length, min_length=None, step=None):
    """A plain loop over users, written from the documented behaviour."""
    step = step or max_length
    rows, users = [], []
    for user in np.unique(interactions.user_ids):
        mine = np.flatnonzero(interactions.user_ids == user)
        mine = mine[np.argsort(interactions.timestamps[mine], kind='stable')]
        items = interactions.item_ids[mine]
        for end in range(len(items), 0, -step):
            window = items[max(end - max_length, 0):end]
            row = np.zeros(max_length, dtype=np.int32)
            row[max_length - len(window):] = window
            if min_length is None or np.count_nonzero(row) >= min_length:
                rows.append(row)
                users.append(user)
    return np.array(rows, dtype=np.int32).reshape(-1, max_length), np.array(users)


@pytest.mark.parametrize('max_length,min_length,step', [
    (10, None, None), (5, None, 2), (20, 5, 3), (3, 3, 1), (1, None, None), (7, 2, 10)])
def test_to_sequence_matches_reference_loop(max_length, min_length, step):
    data = random_interactions(seed=max_length)
    sequences = data.to_sequence(max_length, min_sequence_length=min_length, step_size=step)
    expected, users = reference_to_sequence(data, max_length, min_length, step)
    np.testing.assert_array_equal(sequences.sequences, expected)
    np.testing.assert_array_equal(sequences.user_ids, users)
    assert sequences.num_items == data.num_items
    assert sequences.max_sequence_length == max_length


def test_to_sequence_ties_keep_input_order():
    data = Interactions([1, 1, 1], [7, 3, 5], timestamps=[4, 4, 1])
    np.testing.assert_array_equal(data.to_sequence(4).sequences, [[0, 5, 7, 3]])


@pytest.mark.parametrize('kwargs,message', [
    (dict(max_sequence_length=0), 'max_sequence_length must be a positive integer, got 0'),
    (dict(max_sequence_length=-3), 'max_sequence_length must be a positive integer, got -3'),
    (dict(max_sequence_length=2.5), 'max_sequence_length must be a positive integer, got 2.5'),
    (dict(max_sequence_length=None), 'max_sequence_length must be a positive integer, got None'),
    (dict(max_sequence_length='10'), "max_sequence_length must be a positive integer, got '10'"),
    (dict(step_size=0), 'step_size must be a positive integer, got 0'),
    (dict(step_size=-1), 'step_size must be a positive integer, got -1'),
    (dict(step_size=True), 'step_size must be a positive integer, got True'),
    (dict(min_sequence_length=0), 'min_sequence_length must be a positive integer, got 0'),
    (dict(min_sequence_length=1.0), 'min_sequence_length must be a positive integer, got 1.0'),
    (dict(max_sequence_length=5, min_sequence_length=6),
     r'min_sequence_length \(6\) exceeds max_sequence_length \(5\)'),
])
def test_to_sequence_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        random_interactions().to_sequence(**kwargs)


def test_to_sequence_too_large_for_memory_is_reported_before_allocating():
    with pytest.raises(ValueError, match=r'to_sequence\(max_sequence_length=1000000000000\) over '
                                         r'\d+ windows needs [\d,.]+ GiB to build.*larger step_size'):
        random_interactions().to_sequence(10 ** 12)


def test_to_sequence_bad_data():
    with pytest.raises(ValueError, match='0 is used as an item id'):
        random_interactions(with_zero_item=True).to_sequence()
    with pytest.raises(ValueError, match='timestamps not available'):
        Interactions([0], [1]).to_sequence()


def test_numpy_integer_lengths_are_accepted():
    data = random_interactions()
    np.testing.assert_array_equal(data.to_sequence(np.int64(4), step_size=np.int32(2)).sequences,
                                  data.to_sequence(4, step_size=2).sequences)


# Random small datasets: users 1..20, items 1..30, 1..200 interactions, timestamps with
# many ties.
rows = st.lists(st.tuples(st.integers(1, 20), st.integers(1, 30), st.integers(0, 8)),
                min_size=1, max_size=200)


def build(rows):
    users, items, times = (np.array(column) for column in zip(*rows))
    return Interactions(users, items, timestamps=times, num_users=21, num_items=31)


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
    sequences = interactions.to_sequence(max_length)  # step_size defaults to max_length
    assert np.count_nonzero(sequences.sequences) == len(interactions)
    for user, history in user_histories(interactions).items():
        windows = sequences.sequences[sequences.user_ids == user][::-1]
        assert [item for row in windows for item in row if item] == history


# --- SequenceInteractions -------------------------------------------------------------------

def test_sequence_interactions_repr_and_defaults():
    sequences = SequenceInteractions(np.array([[0, 1, 2], [3, 4, 5]]))
    assert sequences.num_items == 6 and sequences.max_sequence_length == 3 and len(sequences) == 2
    assert sequences.sequences.dtype == np.int32 and sequences.user_ids is None
    assert repr(sequences) == '<Sequence interactions dataset (2 sequences x 3 sequence length)>'
    assert SequenceInteractions(np.zeros((0, 4), dtype=int)).num_items == 0


@pytest.mark.parametrize('kwargs,message', [
    (dict(sequences=[1, 2, 3]), r'sequences must be 2-dimensional, got shape \(3,\)'),
    (dict(sequences=[[1, -2]]), 'sequences contains the negative id -2'),
    (dict(sequences=[[1.5, 2]]), 'sequences contains the non-integer id 1.5'),
    (dict(sequences=[[True, False]]), 'sequences is a boolean array'),
    (dict(sequences=[[1, 7]], num_items=5), r'sequences contains the id 7, outside \[0, 5\)'),
    (dict(sequences=[[1, 2]], num_items=-5), 'num_items must be a non-negative integer'),
    (dict(sequences=[[1, 2], [3, 4]], user_ids=[0]), 'user_ids has 1 entries but sequences has 2'),
])
def test_sequence_interactions_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SequenceInteractions(**kwargs)


def test_arrays_of_the_right_dtype_are_kept_not_copied():
    # As in spotlight, int32 ids and float32 ratings are stored as given (validated,
    # not copied); other dtypes and strided views are converted into new arrays.
    users, items = np.arange(5, dtype=np.int32), np.arange(1, 6, dtype=np.int32)
    ratings = np.ones(5, dtype=np.float32)
    data = Interactions(users, items, ratings=ratings, timestamps=users)
    assert np.shares_memory(data.user_ids, users) and np.shares_memory(data.ratings, ratings)
    assert np.shares_memory(data.timestamps, users)
    converted = Interactions(users.astype(np.int64), np.arange(1, 11, dtype=np.int32)[::2])
    assert converted.user_ids.dtype == np.int32 and converted.item_ids.flags['C_CONTIGUOUS']
    assert not np.shares_memory(converted.user_ids, users)
