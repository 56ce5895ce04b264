"""
The evaluation protocol around the homework's splits.

The homework splits MovieLens once per ``seed``, both with ``np.random.RandomState(seed)``:
ratings 80:20 at random (Part 1, ``homework_ratings_split``) and users 80:20 (Part 2,
``homework_user_split``), the test users' histories cut into windows of ``WINDOW`` items.
Every hyperparameter, epoch count and blend weight is chosen on a *validation* split carved
from the training side (5 % of the training ratings; 10 % of the training users), drawn with
``np.random.RandomState(seed + VALIDATION_SEED_OFFSET)``: the same state as the outer split
would draw the same shuffle (for the user split, exactly the test users, who are no longer
there).

A next-item model scores every item; an item it cannot rank (the padding id 0, an item it
never saw) scores ``CANNOT_RANK``. "Seen items ranked last" (spotlight's
``exclude_preceding=True``) pushes the prefix's own items below even those.
"""

import numpy as np

from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight_compat.interactions import order_by_user_then_time

VALIDATION_SEED_OFFSET = 1000
TEST_PERCENTAGE = 0.2  # both homework splits
WINDOW = 10       # items per training window: the test's own format
WINDOW_STEP = 5   # a window starts every 5 items, so consecutive windows overlap by half
# The score of an item a model cannot rank: below every real score, yet above the
# -float32-max that the seen-items-last protocol gives the prefix's own items.
CANNOT_RANK = -1e30


def homework_ratings_split(dataset, seed):
    """
    Part 1's split: the ratings 80:20 at random, with ``np.random.RandomState(seed)``.

    Returns
    -------
    (Interactions, Interactions)
        The training and the test ratings.
    """
    return random_train_test_split(dataset, test_percentage=TEST_PERCENTAGE,
                                   random_state=np.random.RandomState(seed))


def homework_user_split(dataset, seed):
    """
    Part 2's split: the users 80:20, with ``np.random.RandomState(seed)``.

    Returns
    -------
    (Interactions, Interactions)
        The training users' and the test users' interactions (``evaluation_sequences`` cuts
        the test users' into the test's windows).
    """
    return user_based_train_test_split(dataset, test_percentage=TEST_PERCENTAGE,
                                       random_state=np.random.RandomState(seed))


def training_users(dataset, seed):
    """The training users' interactions of Part 2's split ``seed`` (the test users never read)."""
    return homework_user_split(dataset, seed)[0]


def validation_random_state(seed):
    """The random state of the validation splits of outer split ``seed``."""
    return np.random.RandomState(seed + VALIDATION_SEED_OFFSET)


def validation_ratings(train, seed, test_percentage=0.05):
    """
    Split Part 1's training ratings into fit ratings and validation ratings.

    Parameters
    ----------
    train: Interactions
        The training ratings of the outer split ``seed``.
    seed: int
        The outer split's seed.
    test_percentage: float, optional
        The validation share (5%).

    Returns
    -------
    (Interactions, Interactions)
        The fit ratings and the validation ratings.
    """
    return random_train_test_split(train, test_percentage=test_percentage,
                                   random_state=validation_random_state(seed))


def validation_users(train_interactions, seed, test_percentage=0.1):
    """
    Split Part 2's training users into fit users and validation users.

    Parameters
    ----------
    train_interactions: Interactions
        The training users' interactions of the outer user split ``seed``.
    seed: int
        The outer split's seed.
    test_percentage: float, optional
        The validation users' share (10%).

    Returns
    -------
    (Interactions, Interactions)
        The fit users' and the validation users' interactions.
    """
    return user_based_train_test_split(train_interactions, test_percentage=test_percentage,
                                       random_state=validation_random_state(seed))


def fit_and_validation_users(train_interactions, seed):
    """
    ``validation_users``, the validation users cut as the test is.

    Returns
    -------
    (Interactions, SequenceInteractions)
        The fit users' interactions and the validation users' windows of ``WINDOW`` items.
    """
    fit, valid = validation_users(train_interactions, seed)
    return fit, evaluation_sequences(valid)


def training_windows(interactions, window=WINDOW, step=WINDOW_STEP):
    """
    Every user's history cut into windows of ``window`` items, one starting every ``step``.

    Returns
    -------
    np.ndarray of int, shape (n_windows, window)
        Item ids in time order, left-padded with 0.
    """
    return interactions.to_sequence(max_sequence_length=window, step_size=step).sequences


def evaluation_sequences(interactions, window=WINDOW):
    """``interactions`` cut as the test is: windows of ``window`` items, no overlap."""
    return interactions.to_sequence(max_sequence_length=window)


def user_histories(interactions):
    """
    Each user's items in time order (ties in user-id order kept stable).

    Returns
    -------
    list of np.ndarray
        One array of item ids per user who has interactions, in user-id order.
    """
    order = order_by_user_then_time(interactions.user_ids, interactions.timestamps)
    users, items = interactions.user_ids[order], interactions.item_ids[order]
    return np.split(items, np.flatnonzero(users[1:] != users[:-1]) + 1)
