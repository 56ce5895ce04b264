"""recsys_models.baselines: constant scores."""

import numpy as np
import pytest

from recsys_models.baselines import ConstantScores, item_counts


def test_constant_scores_are_the_same_for_every_prefix():
    model = ConstantScores([0, 3, 1])
    np.testing.assert_array_equal(model.predict_sequences(np.zeros((2, 9))), [[0, 3, 1], [0, 3, 1]])
    scores = model.predict(np.zeros(9))
    scores[1] = -1  # callers may write into what they get
    np.testing.assert_array_equal(model.predict(np.zeros(9)), [0, 3, 1])
    with pytest.raises(ValueError, match='1-dimensional'):
        ConstantScores(np.zeros((2, 2)))


def test_item_counts_ignore_padding():
    np.testing.assert_array_equal(item_counts(np.array([[0, 0, 1], [2, 1, 1]]), 4), [0, 3, 1, 0])
