"""recsys_models.features: side information and "who rated what"."""

from types import SimpleNamespace

import numpy as np
import pytest

from recsys_models import features
from spotlight_compat.interactions import Interactions


def test_one_hot_leaves_unknown_rows_empty():
    matrix = features.one_hot(np.array(['b', 'a', 'b', 'c']), np.array([True, True, False, True])).toarray()
    np.testing.assert_array_equal(matrix, [[0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match='same shape'):
        features.one_hot(np.zeros(3), np.ones(2, bool))


def test_user_side_features_bucket_ages_and_skip_the_padding_row():
    users = SimpleNamespace(age=np.array([0, 17, 18, 60]), gender=np.array(['', 'F', 'M', 'F']),
                            occupation=np.array(['', 'artist', 'doctor', 'artist']))
    matrix = features.user_side_features(users).toarray()
    assert matrix[0].sum() == 0  # the padding id
    # age groups (under 18, 18-24, 56+), then female, then occupations ('' of the padding
    # row, always empty; artist; doctor)
    np.testing.assert_array_equal(matrix[1:], [[1, 0, 0, 1, 0, 1, 0], [0, 1, 0, 0, 0, 0, 1],
                                               [0, 0, 1, 1, 0, 1, 0]])


def test_item_side_features_hold_genres_and_release_period():
    items = SimpleNamespace(genres=np.array([[1, 0], [0, 1], [1, 1]]), year=np.array([0, 1994, 1996]))
    matrix = features.item_side_features(items).toarray()
    # genres, then release periods (unknown, always empty; 1990-94; 1995 on)
    np.testing.assert_array_equal(matrix, [[1, 0, 0, 0, 0], [0, 1, 0, 1, 0], [1, 1, 0, 0, 1]])


def test_implicit_features_scale_rows_by_their_counts():
    interactions = Interactions(np.array([0, 0, 0, 1, 1]), np.array([1, 2, 2, 2, 0]), num_items=3)
    users, items = features.implicit_features(interactions, power=0.5)
    # user 0 rated items 1 and 2 (item 2 twice, counted once): 1 / sqrt(2) each
    np.testing.assert_allclose(users.toarray(), [[0, 2 ** -0.5, 2 ** -0.5], [2 ** -0.5, 0, 2 ** -0.5]])
    np.testing.assert_allclose(items.toarray(), [[0, 1], [1, 0], [2 ** -0.5, 2 ** -0.5]])
