"""
spotlight_compat.sampling: sample_items draws the negative items spotlight draws (numpy's
``randint`` from the same random state, as spotlight's own code does), and rejects bad
arguments; against our own expectations.
"""

import numpy as np
import pytest

from spotlight_compat.sampling import sample_items


def test_negative_items_are_spotlights_draws():
    drawn = sample_items(40, (3, 4), random_state=np.random.RandomState(9))
    expected = np.random.RandomState(9).randint(0, 40, (3, 4), dtype=np.int64)
    np.testing.assert_array_equal(drawn, expected)
    assert drawn.dtype == np.int64
    with pytest.raises(ValueError, match='num_items must be a positive integer'):
        sample_items(0, 3)
    with pytest.raises(ValueError, match='every size in shape'):
        sample_items(5, (2, -1))
