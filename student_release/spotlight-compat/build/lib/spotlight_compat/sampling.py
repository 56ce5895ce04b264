"""Negative item sampling, as spotlight's ``sampling`` module."""

import numpy as np

from . import _checks


def sample_items(num_items, shape, random_state=None):
    """
    Item ids drawn uniformly from ``[0, num_items)``.

    The draw is ``random_state.randint(0, num_items, shape, dtype=np.int64)``,
    spotlight's, so the same random state gives the same items.

    Parameters
    ----------
    num_items: int
        One more than the largest id that may be drawn.
    shape: int or tuple of int
        Shape of the result.
    random_state: np.random.RandomState or int, optional
        An int seeds a new RandomState; ``None`` a fresh, unseeded one.

    Returns
    -------
    np.ndarray of np.int64, shape ``shape``

    Raises
    ------
    ValueError
        For a non-positive ``num_items``, a negative size in ``shape`` or an
        unusable random state.
    """
    num_items = _checks.positive_int('num_items', num_items)
    sizes = (shape,) if np.isscalar(shape) else tuple(shape)
    for size in sizes:
        _checks.optional_count('every size in shape', size)
    return _checks.random_state(random_state).randint(0, num_items, shape, dtype=np.int64)
