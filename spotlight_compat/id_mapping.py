"""
Mapping arbitrary user or item keys (strings, ids from 0, sparse integers) to the
contiguous ids from 1 that ``Interactions`` and ``to_sequence`` expect, and back.
"""

import numpy as np


class IdMapping(object):
    """
    A two-way mapping between keys and contiguous integer ids ``first_id, first_id + 1, ...``,
    in order of first appearance.

    Parameters
    ----------
    keys: sequence
        Keys in the order they first appear (duplicates allowed; the first
        occurrence decides the id).
    first_id: int, optional
        Id given to the first key; 1 by default, because item id 0 is the
        padding value of sequences.
    name: str, optional
        What the keys are, for the repr and error messages (e.g. ``'item_keys'``).

    Raises
    ------
    ValueError
        For keys that are not one-dimensional, empty, or hold a missing value.

    Examples
    --------
    >>> items = IdMapping(['tt0114709', 'tt0113497', 'tt0114709'])
    >>> items.to_ids(['tt0113497', 'tt0114709']).tolist()
    [2, 1]
    >>> items.to_keys([1]).tolist()
    ['tt0114709']
    """

    def __init__(self, keys, first_id=1, name='keys'):
        keys = _as_key_array(keys, name)
        unique, first_position = np.unique(keys, return_index=True)
        order_of_appearance = np.argsort(first_position, kind='stable')
        self.keys = unique[order_of_appearance]
        self.first_id = int(first_id)
        self.name = name
        self._sorted_keys = unique
        self._id_of_sorted = np.empty(len(unique), dtype=np.int64)
        self._id_of_sorted[order_of_appearance] = np.arange(len(unique)) + self.first_id

    def __len__(self):
        return len(self.keys)

    def __repr__(self):
        return f'<IdMapping of {len(self)} {self.name} to ids {self.first_id}..{self.num_ids - 1}>'

    @property
    def num_ids(self):
        """
        The id count to give ``Interactions`` (largest id + 1).

        Returns
        -------
        int
        """
        return self.first_id + len(self.keys)

    def to_ids(self, keys):
        """
        Ids of ``keys``.

        Parameters
        ----------
        keys: sequence
            Keys the mapping has seen.

        Returns
        -------
        np.ndarray of np.int32

        Raises
        ------
        KeyError
            Naming the first key never seen.
        """
        keys = _as_key_array(keys, self.name, allow_empty=True)
        positions = np.searchsorted(self._sorted_keys, keys)
        positions = np.minimum(positions, len(self._sorted_keys) - 1)
        unknown = self._sorted_keys[positions] != keys if len(keys) else np.zeros(0, bool)
        if np.any(unknown):
            raise KeyError(f'{self.name} contains {keys[unknown][0].item()!r}, which the mapping '
                           'has never seen.')
        return self._id_of_sorted[positions].astype(np.int32)

    def to_keys(self, ids):
        """
        Keys of ``ids``.

        Parameters
        ----------
        ids: array-like of int
            In ``[first_id, num_ids)``.

        Returns
        -------
        np.ndarray
            The keys, of the dtype the mapping stores them in.

        Raises
        ------
        ValueError
            For an id outside the mapping.
        """
        ids = np.asarray(ids)
        if ids.size and (ids.min() < self.first_id or ids.max() >= self.num_ids):
            raise ValueError(f'ids must lie in [{self.first_id}, {self.num_ids}), '
                             f'got {ids.min() if ids.min() < self.first_id else ids.max()}.')
        return self.keys[ids - self.first_id]


def interactions_from_keys(user_keys, item_keys, ratings=None, timestamps=None, weights=None):
    """
    Build ``Interactions`` from arbitrary user and item keys (e.g. pandas columns
    of strings, or ids starting at 0).

    Parameters
    ----------
    user_keys, item_keys: sequence
        One key per interaction, of the same length.
    ratings, timestamps, weights: array-like, optional
        Passed to ``Interactions``.

    Returns
    -------
    (Interactions, IdMapping, IdMapping)
        The interactions with contiguous ids from 1, and the user and item mappings
        to translate ids back to keys.

    Raises
    ------
    ValueError
        For empty keys or keys holding a missing value, naming the column.
    """
    from .interactions import Interactions

    users = IdMapping(user_keys, name='user_keys')
    items = IdMapping(item_keys, name='item_keys')
    interactions = Interactions(users.to_ids(user_keys), items.to_ids(item_keys), ratings=ratings,
                                timestamps=timestamps, weights=weights,
                                num_users=users.num_ids, num_items=items.num_ids)
    return interactions, users, items


def _as_key_array(keys, name, allow_empty=False):
    array = np.asarray(list(keys) if not hasattr(keys, '__array__') else keys)
    if array.ndim != 1:
        raise ValueError(f'{name} must be one-dimensional, got shape {array.shape}.')
    if len(array) == 0 and not allow_empty:
        raise ValueError(f'{name} is empty.')
    if array.dtype.kind == 'f' and np.isnan(array).any():
        raise ValueError(f'{name} contains NaN; drop or fill the missing keys first.')
    if array.dtype.kind == 'O':
        missing = [position for position, key in enumerate(array) if _is_missing(key)]
        if missing:
            raise ValueError(f'{name} contains a missing value ({array[missing[0]]!r} at position '
                             f'{missing[0]}); drop or fill the missing keys first.')
        array = array.astype(str)
    return array


def _is_missing(key):
    """True for None, a float NaN, and pandas' ``NA`` and ``NaT`` (in object arrays)."""
    if key is None or type(key).__name__ in ('NAType', 'NaTType'):
        return True
    return isinstance(key, (float, np.floating)) and np.isnan(key)
