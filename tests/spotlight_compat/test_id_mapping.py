"""
spotlight_compat.id_mapping: IdMapping and interactions_from_keys (ours; spotlight has no
counterpart), against our own expectations: round trips and contiguous ids checked on
random keys (hypothesis), and the errors for unknown, missing or empty keys.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotlight_compat.id_mapping import IdMapping, interactions_from_keys

SETTINGS = settings(max_examples=100, deadline=None)

# Numpy's fixed-width strings drop trailing NUL characters, so keys ending in
# '\x00' are left out (a limitation of string keys, documented here).
text_keys = st.text(alphabet=st.characters(exclude_characters='\x00'), max_size=6)
key_lists = st.one_of(st.lists(text_keys, min_size=1, max_size=60),
                      st.lists(st.integers(0, 10 ** 6), min_size=1, max_size=60))


@SETTINGS
@given(key_lists, st.integers(0, 3))
def test_round_trip_and_contiguous_ids(keys, first_id):
    mapping = IdMapping(keys, first_id=first_id)
    ids = mapping.to_ids(keys)
    assert mapping.to_keys(ids).tolist() == keys
    distinct = list(dict.fromkeys(keys))  # in order of first appearance
    assert len(mapping) == len(distinct) and mapping.num_ids == first_id + len(distinct)
    assert mapping.to_ids(distinct).tolist() == list(range(first_id, first_id + len(distinct)))


def test_repr_and_unknown_keys_and_ids():
    items = IdMapping(['tt2', 'tt1', 'tt2'], name='item_keys')
    assert repr(items) == '<IdMapping of 2 item_keys to ids 1..2>'
    assert items.to_ids([]).tolist() == []
    with pytest.raises(KeyError, match="item_keys contains 'tt9'"):
        items.to_ids(['tt1', 'tt9'])
    with pytest.raises(ValueError, match=r'ids must lie in \[1, 3\), got 0'):
        items.to_keys([0, 1])
    with pytest.raises(ValueError, match=r'ids must lie in \[1, 3\), got 3'):
        items.to_keys([2, 3])
    mixed = IdMapping(np.array(['a', 5, 'a'], dtype=object))  # object keys compare as strings
    assert mixed.to_keys([1, 2]).tolist() == ['a', '5'] and mixed.to_ids(['5']).tolist() == [2]
    with pytest.raises(ValueError, match=r'keys must be one-dimensional, got shape \(1, 2\)'):
        IdMapping([['a', 'b']])


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


@pytest.mark.parametrize('column,user_keys,item_keys,message', [
    ('user_keys', pd.Series(['u1', None, 'u2']), ['a', 'b', 'c'], r"missing value \(nan at position 1\)"),
    ('user_keys', pd.Series(['u1', pd.NA, 'u2'], dtype='string'), ['a', 'b', 'c'], '<NA>'),
    ('item_keys', ['u1', 'u2', 'u3'], pd.Series(['a', np.nan, 'c'], dtype=object), 'nan'),
    ('item_keys', ['u1', 'u2', 'u3'], [1.0, np.nan, 3.0], 'NaN'),
    ('user_keys', [], [], 'empty'),
])
def test_missing_or_empty_keys_raise_value_error_naming_them(column, user_keys, item_keys,
                                                             message):
    with pytest.raises(ValueError, match=f'{column}.*{message}'):
        interactions_from_keys(user_keys, item_keys)
