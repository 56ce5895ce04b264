import numpy as np
import pytest
import scipy.sparse as sp

from conftest import random_interactions
from spotlight_compat.interactions import Interactions, SequenceInteractions


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


def test_defaults_and_repr():
    data = Interactions([0, 3], [5, 1], ratings=[4.0, 2.5])
    assert data.num_users == 4 and data.num_items == 6 and len(data) == 2
    assert data.user_ids.dtype == np.int32 and data.ratings.dtype == np.float32
    assert repr(data) == '<Interactions dataset (4 users x 6 items x 2 interactions)>'


def test_sparse_matrices():
    data = Interactions([0, 1, 1], [2, 0, 3], ratings=[5.0, 1.0, 3.0], num_items=5)
    dense = data.tocsr().toarray()
    assert isinstance(data.tocoo(), sp.coo_matrix) and dense.shape == (2, 5)
    assert dense[0, 2] == 5.0 and dense[1, 0] == 1.0 and dense[1, 3] == 3.0 and dense.sum() == 9


@pytest.mark.parametrize('kwargs,message', [
    (dict(user_ids=[0, 5], item_ids=[1, 1], num_users=3), 'num_users is 3 but the data contains id 5'),
    (dict(user_ids=[0, 1], item_ids=[1, 9], num_items=4), 'num_items is 4 but the data contains id 9'),
    (dict(user_ids=[0, 1, 2], item_ids=[1, 1]), 'item_ids has 2 entries but user_ids has 3'),
    (dict(user_ids=[0, 1], item_ids=[1, 1], ratings=[1.0]), 'ratings has 1 entries'),
    (dict(user_ids=[0, -1], item_ids=[1, 1]), 'user_ids contains the negative id -1'),
    (dict(user_ids=[0, 1], item_ids=[-3, 1]), 'item_ids contains the negative id -3'),
    (dict(user_ids=[0, 1], item_ids=[1, 1], ratings=[1.0, np.nan]), 'ratings contains NaN'),
    (dict(user_ids=['a', 'b'], item_ids=[1, 1]), 'user_ids has dtype <U1'),
    (dict(user_ids=[0.5, 1], item_ids=[1, 1]), 'user_ids contains the non-integer id 0.5'),
    (dict(user_ids=[[0, 1]], item_ids=[1, 1]), 'user_ids must be one-dimensional'),
])
def test_bad_input_names_field_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message.replace('(', r'\(')):
        Interactions(**kwargs)


def test_float_ids_that_are_integers_are_accepted():
    data = Interactions(np.array([0.0, 2.0]), np.array([1.0, 3.0]))
    assert data.user_ids.tolist() == [0, 2]


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


def test_to_sequence_bad_input():
    with pytest.raises(ValueError, match='0 is used as an item id'):
        random_interactions(with_zero_item=True).to_sequence()
    with pytest.raises(ValueError, match='timestamps not available'):
        Interactions([0], [1]).to_sequence()
    with pytest.raises(ValueError, match='max_sequence_length must be a positive integer'):
        random_interactions().to_sequence(0)
    with pytest.raises(ValueError, match='min_sequence_length \\(6\\) exceeds'):
        random_interactions().to_sequence(5, min_sequence_length=6)


def test_sequence_interactions_repr_and_defaults():
    sequences = SequenceInteractions(np.array([[0, 1, 2], [3, 4, 5]]))
    assert sequences.num_items == 6 and sequences.max_sequence_length == 3
    assert repr(sequences) == '<Sequence interactions dataset (2 sequences x 3 sequence length)>'
