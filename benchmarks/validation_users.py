"""
The notebook's Part 2 validation protocol, shared by the validation searches and the
speed benchmark: the training users of the outer split are split again into fit and
validation users by the notebook's own ``validation_users``, and each search runs over
several seeds from the command line.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'scripts'))
from notebook_definitions import notebook_definitions  # noqa: E402

from spotlight_compat.cross_validation import user_based_train_test_split  # noqa: E402
from spotlight_compat.datasets.movielens import get_movielens_dataset  # noqa: E402


def training_users(dataset, seed):
    """The training interactions of the notebook's user-based split ``seed``."""
    train, _ = user_based_train_test_split(dataset, random_state=np.random.RandomState(seed))
    return train


def fit_and_validation_users(nb, train, seed):
    """
    The training users of split ``seed`` split again by the notebook's ``validation_users``:
    the fit users' interactions and the validation users' sequences (the notebook's windows).
    """
    fit, valid = nb.validation_users(train, seed)
    return fit, valid.to_sequence(max_sequence_length=nb.WINDOW)


def scores_per_seed(validation_scores, description, argv=None, options=None):
    """
    Parse ``--seeds`` (default 0-4) and return ``[validation_scores(nb, seed, dataset), ...]``
    on MovieLens 100K, one dict of scores per seed; ``nb`` holds the notebook's definitions.
    ``options`` maps further flags to their ``add_argument`` keywords; their parsed values
    are passed to ``validation_scores`` as keyword arguments.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    for flag, settings in (options or {}).items():
        parser.add_argument(flag, **settings)
    args = vars(parser.parse_args(argv))
    seeds = args.pop('seeds')
    nb = notebook_definitions('validation_users', 'WINDOW', 'WINDOW_STEP', 'training_windows',
                              'fit_next_item_model')
    dataset = get_movielens_dataset('100K')
    per_seed = []
    for seed in seeds:
        per_seed.append(validation_scores(nb, seed, dataset, **args))
        print(f'seed {seed} done', flush=True)
    return per_seed
