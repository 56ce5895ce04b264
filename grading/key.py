"""
The grading key: what the grader's own process knows about a run of the notebook with a
given seed, drawn exactly as the notebook draws it.

The key holds the explicit-feedback test set (the (user, item) rows and their ratings) and
the spotlight baseline's test RMSE, and the implicit-feedback test sequences, all for the
seed injected into the submissions. It is written once per grading run, atomically, into
the course folder, where the students' kernels may not read.
"""

import io
from pathlib import Path

import numpy as np

from spotlight_compat.atomic import atomic_write_bytes

KEY_FIELDS = ('seed', 'test_pairs', 'test_ratings', 'baseline_rmse', 'test_sequences', 'num_items')


def make_key(seed, dataset=None):
    """
    The grading key for ``seed``.

    Parameters
    ----------
    seed: int
        The seed the submissions run with (the notebook's ``SEED``).
    dataset: Interactions, optional
        MovieLens 100K; loaded (from the cache) when not given.

    Returns
    -------
    dict of numpy arrays
        ``seed``, ``test_pairs`` (n, 2), ``test_ratings`` (n,), ``baseline_rmse`` (the
        handout's ``ExplicitFactorizationModel(n_iter=3)`` on this split),
        ``test_sequences`` (m, 10) and ``num_items``.
    """
    from recsys_models.protocol import evaluation_sequences, homework_ratings_split, homework_user_split
    from spotlight_compat.datasets.movielens import get_movielens_dataset
    from spotlight_compat.evaluation import rmse_score
    from spotlight_compat.factorization.explicit import ExplicitFactorizationModel

    seed = _seed(seed)
    dataset = get_movielens_dataset(variant='100K') if dataset is None else dataset
    train, test = homework_ratings_split(dataset, seed)  # the handout's splits, drawn from SEED
    baseline = ExplicitFactorizationModel(n_iter=3, random_state=np.random.RandomState(seed))
    baseline.fit(train)
    test_sequences = evaluation_sequences(homework_user_split(dataset, seed)[1])
    return {'seed': np.int64(seed),
            'test_pairs': np.column_stack((test.user_ids, test.item_ids)).astype(np.int64),
            'test_ratings': test.ratings.astype(np.float64),
            'baseline_rmse': np.float64(rmse_score(baseline, test)),
            'test_sequences': test_sequences.sequences.astype(np.int64),
            'num_items': np.int64(test_sequences.num_items)}


def save_key(path, key):
    """Write ``key`` to ``path`` (an ``.npz`` file), atomically."""
    buffer = io.BytesIO()
    np.savez(buffer, **{name: key[name] for name in KEY_FIELDS})
    atomic_write_bytes(Path(path), buffer.getvalue())


def load_key(path):
    """
    The key saved at ``path``.

    Returns
    -------
    dict
        As ``make_key`` returns it, ``seed`` and ``num_items`` as ints and ``baseline_rmse``
        as a float.

    Raises
    ------
    FileNotFoundError
        When there is no key there; ``scripts/grade.py`` writes it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'no grading key at {path}: grade with scripts/grade.py, which writes it')
    with np.load(path) as saved:
        key = {name: saved[name] for name in KEY_FIELDS}
    for name in ('seed', 'num_items'):
        key[name] = int(key[name])
    key['baseline_rmse'] = float(key['baseline_rmse'])
    return key


def _seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 32:
        raise ValueError(f'seed must be an integer in [0, 2**32), got {seed!r}')
    return int(seed)
