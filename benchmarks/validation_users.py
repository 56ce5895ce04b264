"""
The notebook's Part 2 validation protocol, shared by the validation searches and the
speed benchmark: the training users of the outer split are split again into fit and
validation users, and each search runs over several seeds from the command line.
"""

import argparse

import numpy as np

from spotlight_compat.cross_validation import user_based_train_test_split
from spotlight_compat.datasets.movielens import get_movielens_dataset


def training_users(dataset, seed):
    """The training interactions of the notebook's user-based split ``seed``."""
    train, _ = user_based_train_test_split(dataset, random_state=np.random.RandomState(seed))
    return train


def fit_and_validation_users(train, seed):
    """
    The training users of split ``seed`` split again: the fit users' interactions and the
    validation users' sequences (windows of 10). The inner split's random state differs
    from the outer one's, whose hash seed would otherwise select exactly the test users.
    """
    fit, valid = user_based_train_test_split(train, test_percentage=0.1,
                                             random_state=np.random.RandomState(seed + 1000))
    return fit, valid.to_sequence()


def scores_per_seed(validation_scores, description, argv=None):
    """
    Parse ``--seeds`` (default 0-4) and return ``[validation_scores(seed, dataset), ...]``
    on MovieLens 100K, one dict of scores per seed.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    args = parser.parse_args(argv)
    dataset = get_movielens_dataset('100K')
    per_seed = []
    for seed in args.seeds:
        per_seed.append(validation_scores(seed, dataset))
        print(f'seed {seed} done', flush=True)
    return per_seed
