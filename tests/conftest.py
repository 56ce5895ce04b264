import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).parent / 'fixtures' / 'golden'


def fingerprint(array, dtype):
    return hashlib.sha256(np.ascontiguousarray(array, dtype=dtype).tobytes()).hexdigest()


def load_golden(name):
    return json.loads((GOLDEN / name).read_text())


@pytest.fixture(scope='session')
def movielens():
    """MovieLens 100K through the real loader (fetched once, then cached)."""
    from spotlight_compat.datasets.movielens import get_movielens_dataset
    return get_movielens_dataset('100K')


def random_interactions(num_users=30, num_items=40, n=500, seed=0, with_zero_item=False):
    from spotlight_compat.interactions import Interactions
    rs = np.random.RandomState(seed)
    low = 0 if with_zero_item else 1
    return Interactions(rs.randint(0, num_users, n), rs.randint(low, num_items, n),
                        ratings=rs.randint(1, 6, n).astype(np.float32),
                        timestamps=rs.randint(0, 50, n), num_users=num_users,
                        num_items=num_items)
