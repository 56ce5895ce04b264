"""
The Amazon co-purchasing ratings (SNAP, https://snap.stanford.edu/data/amazon-meta.html),
as spotlight's ``datasets.amazon``: the same HDF5 file from the same URL.

Source and checksum: ``URL`` below, the file spotlight's loader downloads from
Maciej Kula's ``recommender_datasets`` release 0.1.0. No checksum is published
(spotlight checks none), so ``SHA256`` is ``None`` and the first download's
digest is recorded and checked on every later read (see ``_hdf5``).
"""

import numpy as np

from .. import _checks
from ..interactions import Interactions
from . import _hdf5

URL = ('https://github.com/maciejkula/recommender_datasets/releases/download/0.1.0/'
       'amazon_co_purchasing.hdf5')
SHA256 = None
COLUMNS = ('/user_id', '/item_id', '/rating', '/timestamp')


def _kept(ids, min_count):
    """The sorted distinct ``ids`` occurring at least ``min_count`` times."""
    unique, counts = np.unique(ids, return_counts=True)
    return unique[counts >= min_count]


def _contiguous(ids, kept):
    """``ids`` (all in the sorted ``kept``) as 1 + their position in ``kept``."""
    return (np.searchsorted(kept, ids) + 1).astype(ids.dtype)


def get_amazon_dataset(min_user_interactions=10, min_item_interactions=10, data_home=None):
    """
    Download (on first use) and return the Amazon co-purchasing ratings.

    Users and items with fewer interactions than the minima are dropped (the two
    filters are applied independently, as in spotlight, so a remaining user may
    have fewer items), and the remaining ids are renumbered from 1 in increasing
    order of the original ids.

    Parameters
    ----------
    min_user_interactions: int, optional
    min_item_interactions: int, optional
    data_home: str or Path, optional
        An addition to spotlight's signature: the cache directory.

    Returns
    -------
    Interactions
        With ``num_users`` and ``num_items`` one more than the kept counts
        (id 0 is unused).

    Raises
    ------
    ValueError
        For negative minima.
    """
    _checks.optional_count('min_user_interactions', min_user_interactions)
    _checks.optional_count('min_item_interactions', min_item_interactions)
    path = _hdf5.fetch(URL, 'amazon', 'amazon_co_purchasing.hdf5', SHA256, data_home)
    user_ids, item_ids, ratings, timestamps = _hdf5.read_hdf5(path, COLUMNS)
    users, items = _kept(user_ids, min_user_interactions), _kept(item_ids, min_item_interactions)
    keep = np.isin(user_ids, users) & np.isin(item_ids, items)
    return Interactions(_contiguous(user_ids[keep], users), _contiguous(item_ids[keep], items),
                        ratings=ratings[keep], timestamps=timestamps[keep],
                        num_users=len(users) + 1, num_items=len(items) + 1)
