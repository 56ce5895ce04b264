"""
Train/test splits with spotlight's exact semantics: the same
``np.random.RandomState`` seed gives bit-identical splits.
"""

import numpy as np
from sklearn.utils import murmurhash3_32

from . import _checks
from .interactions import Interactions


def _check_interactions(interactions):
    if not isinstance(interactions, Interactions):
        raise ValueError(f"interactions must be an Interactions object, got "
                         f"{type(interactions).__name__}.")


def shuffle_interactions(interactions, random_state=None):
    """
    Shuffle interactions.

    Parameters
    ----------
    interactions: Interactions
    random_state: np.random.RandomState or int, optional
        An int seeds a new RandomState.

    Returns
    -------
    Interactions
        A copy with its rows in a random order.
    """
    _check_interactions(interactions)
    return interactions._select(_shuffled_rows(interactions, random_state))


def _shuffled_rows(interactions, random_state):
    """The row numbers of ``interactions`` in spotlight's shuffled order."""
    shuffle_indices = np.arange(len(interactions.user_ids))
    _checks.random_state(random_state).shuffle(shuffle_indices)
    return shuffle_indices


def random_train_test_split(interactions, test_percentage=0.2, random_state=None):
    """
    Randomly split interactions between training and testing.

    The interactions are shuffled and cut at ``int((1 - test_percentage) * n)``.

    Parameters
    ----------
    interactions: Interactions
    test_percentage: float, optional
        Strictly between 0 and 1. Fraction of interactions placed in the test set.
    random_state: np.random.RandomState or int, optional
        An int seeds a new RandomState.

    Returns
    -------
    (train, test): (Interactions, Interactions)
    """
    _check_interactions(interactions)
    _checks.open_fraction('test_percentage', test_percentage)
    rows = _shuffled_rows(interactions, random_state)
    cutoff = int((1.0 - test_percentage) * len(interactions))
    return interactions._select(rows[:cutoff]), interactions._select(rows[cutoff:])


def user_based_train_test_split(interactions, test_percentage=0.2, random_state=None):
    """
    Split interactions between training and testing so that every user's
    interactions are all in one of the two.

    A user goes to the test set when the 32-bit murmur hash of its id, seeded
    with a draw from ``random_state``, modulo 100, falls below
    ``100 * test_percentage``; the test share is therefore only approximate.

    Parameters
    ----------
    interactions: Interactions
    test_percentage: float, optional
        Strictly between 0 and 1. Expected fraction of users placed in the test set.
    random_state: np.random.RandomState or int, optional
        An int seeds a new RandomState.

    Returns
    -------
    (train, test): (Interactions, Interactions)
    """
    _check_interactions(interactions)
    _checks.open_fraction('test_percentage', test_percentage)
    random_state = _checks.random_state(random_state)
    minint = np.iinfo(np.uint32).min
    maxint = np.iinfo(np.uint32).max
    seed = random_state.randint(minint, maxint, dtype=np.int64)
    in_test = (murmurhash3_32(interactions.user_ids, seed=seed, positive=True)
               % 100 / 100.0) < test_percentage
    return interactions._select(~in_test), interactions._select(in_test)
