"""
The Goodbooks-10K ratings (https://github.com/zygmuntz/goodbooks-10k), as
spotlight's ``datasets.goodbooks``: the same HDF5 file from the same URL.

Source and checksum: ``URL`` below, the v1.0 release asset spotlight's loader
downloads. Neither spotlight nor the release publishes a checksum (spotlight
checks none), so ``SHA256`` is ``None`` and the first download's digest is
recorded and checked on every later read (see ``_hdf5``).
"""

import numpy as np

from ..interactions import Interactions
from . import _hdf5

URL = 'https://github.com/zygmuntz/goodbooks-10k/releases/download/v1.0/goodbooks-10k.hdf5'
SHA256 = None


def get_goodbooks_dataset(data_home=None):
    """
    Download (on first use) and return the Goodbooks-10K dataset.

    Parameters
    ----------
    data_home: str or Path, optional
        An addition to spotlight's signature: the cache directory (see
        ``spotlight_compat.datasets.cache.cache_dir``).

    Returns
    -------
    Interactions
        User ids, book ids, float32 ratings and, as timestamps, the row order
        (int32), as spotlight returns them.
    """
    path = _hdf5.fetch(URL, 'goodbooks', 'goodbooks.hdf5', SHA256, data_home)
    ratings, = _hdf5.read_hdf5(path, ['ratings'])
    return Interactions(ratings[:, 0], ratings[:, 1], ratings=ratings[:, 2].astype(np.float32),
                        timestamps=np.arange(len(ratings), dtype=np.int32))
