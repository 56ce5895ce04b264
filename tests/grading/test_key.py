"""
The grading key (grading.key): the notebook's splits for the grader's seed, saved and loaded.
"""

import numpy as np
import pytest

from grading.key import load_key, make_key, save_key


def test_the_key_draws_the_notebooks_splits(tmp_path):
    from tests.helpers import random_interactions
    from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
    dataset = random_interactions(n=600)
    grading_key = make_key(11, dataset)
    _, test = random_train_test_split(dataset, random_state=np.random.RandomState(11))
    _, test_users = user_based_train_test_split(dataset, random_state=np.random.RandomState(11))
    np.testing.assert_array_equal(grading_key['test_pairs'], np.column_stack((test.user_ids, test.item_ids)))
    np.testing.assert_array_equal(grading_key['test_ratings'], test.ratings)
    np.testing.assert_array_equal(grading_key['test_sequences'], test_users.to_sequence().sequences)
    assert 0 < grading_key['baseline_rmse'] < 5 and grading_key['num_items'] == dataset.num_items
    assert make_key(12, dataset)['test_pairs'].tolist() != grading_key['test_pairs'].tolist()
    save_key(tmp_path / 'key.npz', grading_key)
    loaded = load_key(tmp_path / 'key.npz')
    assert loaded['seed'] == 11 and loaded['baseline_rmse'] == grading_key['baseline_rmse']
    with pytest.raises(FileNotFoundError, match='scripts/grade.py'):
        load_key(tmp_path / 'absent.npz')
    with pytest.raises(ValueError, match='seed must be an integer'):
        make_key(-1, dataset)
