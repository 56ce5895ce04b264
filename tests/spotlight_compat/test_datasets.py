"""
spotlight_compat.datasets, against our own expectations: the MovieLens data chain
(cache, GroupLens archive, PyPI wheel, in that order, each verified), its side
information, the cache under faults, spotlight's HDF5 datasets (goodbooks, amazon) and
the synthetic generators; and, in the last section, against the draws spotlight 0.1.6
made (fingerprints in tests/fixtures/spotlight/reference_values.json). The fake
GroupLens and PyPI of ``conftest.py`` (the ``grouplens`` fixture, which serves any file
it is given) stand in for the network.
"""

import errno
import multiprocessing
import os
import sys
import time
import zipfile

import numpy as np
import pytest

from spotlight_compat.datasets import amazon, cache, goodbooks, movielens, synthetic
from spotlight_compat.datasets.movielens import (DatasetUnavailableError, get_movielens_dataset,
                                                 get_movielens_item_features,
                                                 get_movielens_item_titles,
                                                 get_movielens_user_features)
from tests.helpers import (FAKE_ARCHIVE, FAKE_ITEMS_TSV, FAKE_RATINGS, FAKE_USERS, GENRES, ML1M_ARCHIVE,
                           fake_constants, fake_movie, fake_pip_download, fake_title, fingerprint,
                           spotlight_reference, stray_files)

ML100K_FILES = ('u.data', 'u.user', 'items.tsv')
REFERENCE = spotlight_reference()['generate_sequential']


def assert_fake_dataset(data):
    assert len(data) == FAKE_RATINGS.count(b'\n')
    assert data.user_ids.dtype == np.int32 and data.ratings.dtype == np.float32
    assert data.timestamps.dtype == np.int32
    assert data.user_ids[0] == 1 and data.item_ids[1] == 98 and data.timestamps[0] == 880000008


def assert_fake_cache(directory):
    cached = {name: (directory / 'ml-100k' / name).read_bytes() for name in ML100K_FILES}
    assert cached == {'u.data': FAKE_RATINGS, 'u.user': FAKE_USERS, 'items.tsv': FAKE_ITEMS_TSV}


# --- MovieLens: sources, in order -----------------------------------------------------------

def test_grouplens_then_cache_without_network(tmp_path, grouplens):
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    assert_fake_cache(tmp_path)
    grouplens.mode = 'corrupt'  # the second run must not touch the network at all
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    get_movielens_user_features(data_home=tmp_path)
    assert len(grouplens.requests) == 1 and grouplens.pypi['calls'] == 0


def test_filled_cache_is_read_without_the_download_library(tmp_path, grouplens, monkeypatch):
    get_movielens_dataset('100K', data_home=tmp_path)
    monkeypatch.setitem(sys.modules, 'pooch', None)  # 'import pooch' now fails, as offline
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    assert len(get_movielens_user_features(data_home=tmp_path)) == 944


def test_environment_variable_sets_cache(tmp_path, grouplens, monkeypatch):
    monkeypatch.setenv('SPOTLIGHT_COMPAT_DATA', str(tmp_path / 'env-cache'))
    get_movielens_dataset('100K')
    assert_fake_cache(tmp_path / 'env-cache')


def test_pypi_wheel_when_grouplens_refuses(tmp_path, grouplens):
    grouplens.server_close()  # connection refused from now on
    grouplens.pypi['mode'] = 'ok'
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    assert_fake_cache(tmp_path)  # the same bytes as from GroupLens
    assert grouplens.pypi['calls'] == 1


@pytest.mark.parametrize('fault', ['truncate', 'corrupt', 'stall'])
def test_bad_transfer_is_reported_and_leaves_nothing(tmp_path, grouplens, fault):
    grouplens.mode = fault
    with pytest.raises(DatasetUnavailableError) as error:
        get_movielens_dataset('100K', data_home=tmp_path)
    message = str(error.value)
    assert 'GroupLens archive' in message and 'PyPI wheel recbole==1.2.1' in message
    assert {'truncate': 'cut short', 'corrupt': 'does not match the known hash',
            'stall': 'timed out'}[fault] in message
    assert sorted(p.name for p in (tmp_path / 'ml-100k').iterdir()) == ['.lock']
    grouplens.mode = 'ok'  # the next run succeeds
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))


@pytest.mark.parametrize('retries,succeeds', [(2, True), (1, False)])
def test_failed_downloads_are_retried(tmp_path, grouplens, monkeypatch, retries, succeeds):
    monkeypatch.setattr(cache, 'DOWNLOAD_RETRIES', retries)
    grouplens.faults = ['truncate', 'corrupt']
    if succeeds:
        assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    else:
        with pytest.raises(DatasetUnavailableError, match='does not match the known hash'):
            get_movielens_dataset('100K', data_home=tmp_path)
    assert len(grouplens.requests) == retries + 1


def test_every_source_failing_says_what_to_do(tmp_path, grouplens):
    grouplens.server_close()
    grouplens.pypi['mode'] = 'corrupt'
    with pytest.raises(DatasetUnavailableError) as error:
        get_movielens_dataset('100K', data_home=tmp_path)
    message = str(error.value)
    assert 'Tried, in order' in message and 'unreadable wheel' in message
    assert f"ml-100k.zip and place it at {tmp_path / 'ml-100k' / 'ml-100k.zip'}" in message


def test_archive_placed_by_hand_is_used_offline(tmp_path, grouplens):
    grouplens.server_close()
    (tmp_path / 'ml-100k').mkdir()
    (tmp_path / 'ml-100k' / 'ml-100k.zip').write_bytes(FAKE_ARCHIVE)
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    assert_fake_cache(tmp_path)


@pytest.mark.parametrize('name', ML100K_FILES)
def test_file_with_wrong_checksum_from_a_source_is_rejected(tmp_path, grouplens, monkeypatch,
                                                            name):
    grouplens.pypi['mode'] = 'ok'
    monkeypatch.setitem(movielens.ML100K_FILES_SHA256, name, '0' * 64)
    with pytest.raises(DatasetUnavailableError) as error:
        get_movielens_dataset('100K', data_home=tmp_path)
    assert str(error.value).count(f'{name} failed the sha256 check') == 2  # both sources
    assert not any((tmp_path / 'ml-100k' / file).exists() for file in ML100K_FILES)


def test_archive_with_wrong_movie_list_is_rejected(tmp_path, grouplens, monkeypatch):
    monkeypatch.setattr(movielens, 'ML100K_ITEMS_SHA256', '0' * 64)
    with pytest.raises(DatasetUnavailableError, match='GroupLens archive: u.item failed its sha256'):
        get_movielens_dataset('100K', data_home=tmp_path)


def test_unknown_variant_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'100k'.*'100K', '1M', '10M', '20M'"):
        get_movielens_dataset('100k')


# --- MovieLens: side information ------------------------------------------------------------

@pytest.mark.parametrize('source', ['GroupLens', 'PyPI'])
def test_100k_side_information(tmp_path, grouplens, source):
    if source == 'PyPI':
        grouplens.server_close()
        grouplens.pypi['mode'] = 'ok'
    users = get_movielens_user_features(data_home=tmp_path)
    assert len(users) == 944 and users.age.dtype == np.int32
    assert (users.age[[0, 1, 2]].tolist(), users.gender[[0, 1, 2]].tolist()) == ([0, 18, 19],
                                                                              ['', 'M', 'F'])
    assert users.occupation[[1, 2, 3]].tolist() == ['student', 'other', 'writer']
    assert users.zip_code[943] == '00943'
    items = get_movielens_item_features(data_home=tmp_path)
    assert len(items) == 1683 and items.genre_names == GENRES
    assert items.title[[0, 5, 9, 267]].tolist() == ['<padding>', 'Misérables, Les (1905)',
                                                     'Movie 9 (1909)', 'unknown']
    assert items.year[[0, 1, 267, 1682]].tolist() == [0, 1901, 0, 1982]
    expected = np.array([[flag == '1' for flag in fake_movie(i)[2]] for i in range(1, 1683)])
    np.testing.assert_array_equal(items.genres[1:], expected)
    assert not items.genres[0].any()
    np.testing.assert_array_equal(get_movielens_item_titles(data_home=tmp_path), items.title)
    assert items.title[100] == fake_title(100)


@pytest.mark.parametrize('name', ML100K_FILES)
def test_damaged_cached_file_is_reported_and_fetched_again(tmp_path, grouplens, capsys, name):
    get_movielens_dataset('100K', data_home=tmp_path)
    damaged = tmp_path / 'ml-100k' / name
    damaged.write_bytes(damaged.read_bytes()[:-40])
    get_movielens_item_features(data_home=tmp_path)
    assert f'{name} failed its sha256 check' in capsys.readouterr().err
    assert_fake_cache(tmp_path)
    assert len(grouplens.requests) == 1  # the cached archive was reused


def test_1m_side_information_follows_the_dataset_ids(tmp_path, grouplens):
    data = get_movielens_dataset('1M', data_home=tmp_path)
    assert data.item_ids.tolist() == [1, 1, 2, 3] and data.user_ids.tolist() == [1, 2, 1, 3]
    items = get_movielens_item_features('1M', data_home=tmp_path)
    # raw movies 7, 9, 2 -> ids 1, 2, 3; movie 4 was never rated
    assert items.title.tolist() == ['<padding>', 'Heat (1995)', 'Sabrina (1954)', 'Café (1994)']
    assert items.year.tolist() == [0, 1995, 1954, 1994]
    assert items.genre_names == ('Action', 'Comedy', 'Crime', 'Drama', 'Romance', 'Thriller')
    assert items.genres.astype(int).tolist() == [[0] * 6, [1, 0, 1, 0, 0, 1], [0, 1, 0, 0, 1, 0],
                                                 [0, 1, 0, 1, 0, 0]]
    users = get_movielens_user_features('1M', data_home=tmp_path)
    # raw users 50, 3, 8 -> ids 1, 2, 3; user 11 never rated
    assert users.age.tolist() == [0, 35, 1, 56] and users.gender.tolist() == ['', 'F', 'F', 'M']
    assert users.occupation.tolist() == ['', 'other', 'K-12 student', 'self-employed']
    assert users.zip_code.tolist() == ['', '02460', '48067', '70072']


def test_20m_movie_list_is_csv(tmp_path, grouplens):
    items = get_movielens_item_features('20M', data_home=tmp_path)
    assert items.title.tolist() == ['<padding>', 'Heat (1995)', 'Sabrina (1954)',
                                    'American President, The (1995)']
    assert items.genre_names == ('Action', 'Comedy', 'Crime', 'Drama', 'Romance', 'Thriller')
    assert not items.genres[2].any()  # '(no genres listed)'
    assert items.genres[3].astype(int).tolist() == [0, 1, 0, 1, 1, 0]


@pytest.mark.parametrize('variant', ['10M', '20M'])
def test_user_features_of_variants_without_users_say_so(variant):
    with pytest.raises(ValueError, match=f"variant='{variant}' has no user features.*'1M'"):
        get_movielens_user_features(variant)


# --- MovieLens: the larger variants ---------------------------------------------------------

def test_large_archives_show_a_progress_bar(tmp_path, grouplens, capsys):
    get_movielens_dataset('100K', data_home=tmp_path)
    assert '100%' not in capsys.readouterr().err
    get_movielens_dataset('1M', data_home=tmp_path)
    assert '100%' in capsys.readouterr().err


def test_unreachable_large_archive_says_what_to_do(tmp_path, grouplens):
    with pytest.raises(DatasetUnavailableError) as error:  # the fake GroupLens has no 10M
        get_movielens_dataset('10M', data_home=tmp_path)
    message = str(error.value)
    assert 'Could not obtain MovieLens 10M' in message and '404' in message
    assert f"ml-10m.zip and place it at {tmp_path / 'ml-10m.zip'}" in message


def test_corrupt_large_archive_is_reported_and_fetched_again(tmp_path, grouplens, capsys):
    (tmp_path / 'ml-1m.zip').write_bytes(ML1M_ARCHIVE[:-30])
    assert get_movielens_dataset('1M', data_home=tmp_path).ratings.tolist() == [4, 2, 5, 1]
    assert 'failed its md5 check' in capsys.readouterr().err
    assert zipfile.is_zipfile(tmp_path / 'ml-1m.zip') and len(grouplens.requests) == 1


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
    assert get_movielens_dataset('1M', data_home=tmp_path).timestamps.tolist() == [100, 101, 99, 103]
    assert len(grouplens.requests) == 1  # the verified archive was kept


# --- The cache under faults -----------------------------------------------------------------

def fetch_in_child(url, data_home, barrier, results):
    """Runs in a fresh (spawned) process: point the loader at the fake GroupLens, then fetch."""
    for name, value in fake_constants(url).items():
        setattr(movielens, name, value)
    movielens._download_pypi_wheel = fake_pip_download({'mode': 'fail', 'calls': 0})
    if barrier is not None:
        barrier.wait(timeout=120)
    start = time.monotonic()
    try:
        data = movielens.get_movielens_dataset('100K', data_home=data_home)
        results.put((start, time.monotonic(), len(data), None))
    except BaseException as error:  # reported to the parent, which fails the test
        results.put((start, time.monotonic(), None, repr(error)))


def test_two_processes_fetching_at_once_download_once(tmp_path, grouplens):
    grouplens.delay = 0.1  # about 2 s for the archive: the two fetches overlap
    context = multiprocessing.get_context('spawn')
    barrier, results = context.Barrier(2), context.Queue()
    children = [context.Process(target=fetch_in_child,
                                args=(grouplens.url, str(tmp_path), barrier, results))
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
    assert grouplens.requests == ['/ml-100k.zip']  # downloaded once
    assert_fake_cache(tmp_path)
    assert stray_files(tmp_path) == []


def test_process_killed_mid_download_leaves_nothing_that_blocks(tmp_path, grouplens):
    grouplens.mode = 'hang'
    context = multiprocessing.get_context('spawn')
    results = context.Queue()  # kept referenced until the child has started
    child = context.Process(target=fetch_in_child,
                            args=(grouplens.url, str(tmp_path), None, results))
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


def test_disk_full_during_download(tmp_path, grouplens, monkeypatch):
    import pooch.downloaders

    def open_on_full_disk(file, mode='r', *args, **kwargs):
        return DiskFullHandle(open(file, mode, *args, **kwargs), room=len(FAKE_ARCHIVE) // 3)

    with monkeypatch.context() as patch:
        patch.setattr(pooch.downloaders, 'open', open_on_full_disk, raising=False)
        with pytest.raises(DatasetUnavailableError, match='No space left on device'):
            get_movielens_dataset('100K', data_home=tmp_path)
    assert sorted(p.name for p in (tmp_path / 'ml-100k').iterdir()) == ['.lock']
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))  # space freed
    assert len(grouplens.requests) == 2


@pytest.mark.parametrize('variant', ['100K', '1M'])
@pytest.mark.parametrize('how', ['data_home', 'environment'])
def test_cache_under_a_regular_file_says_what_to_do(tmp_path, monkeypatch, variant, how):
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('')
    data_home = None
    if how == 'environment':
        monkeypatch.setenv('SPOTLIGHT_COMPAT_DATA', str(blocker / 'cache'))
    else:
        data_home = blocker / 'cache'
    with pytest.raises(DatasetUnavailableError) as error:
        get_movielens_dataset(variant, data_home=data_home)
    message = str(error.value)
    assert 'not writable' in message and str(blocker / 'cache') in message
    assert 'data_home=' in message and 'SPOTLIGHT_COMPAT_DATA' in message


def test_read_only_cache_directory_says_what_to_do(tmp_path, monkeypatch):
    """chmod does not stop root (the tests may run as root), so refuse writes by patching."""
    read_only = tmp_path / 'read-only'
    read_only.mkdir()
    real = cache.tempfile.NamedTemporaryFile

    def refuse(*args, dir=None, **kwargs):
        if dir is not None and str(dir).startswith(str(read_only)):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(cache.tempfile, 'NamedTemporaryFile', refuse)
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
    (directory / 'ml-100k.zip').write_bytes(corrupt[damage])
    assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
    assert 'failed its sha256 check' in capsys.readouterr().err
    assert (directory / 'ml-100k.zip').read_bytes() == FAKE_ARCHIVE
    assert len(grouplens.requests) == 1 and stray_files(tmp_path) == []


@pytest.mark.network
def test_real_fetch_through_pypi(tmp_path, monkeypatch):
    """End to end against the real package registry, GroupLens forced unreachable."""
    monkeypatch.setattr(movielens, 'GROUPLENS_URL', 'http://127.0.0.1:9/{archive}')
    data = get_movielens_dataset('100K', data_home=tmp_path)
    assert repr(data) == '<Interactions dataset (944 users x 1683 items x 100000 interactions)>'
    items = get_movielens_item_features(data_home=tmp_path)
    assert items.title[50] == 'Star Wars (1977)' and items.title[1] == 'Toy Story (1995)'
    assert [items.genre_names[g] for g in np.flatnonzero(items.genres[50])] == [
        'Action', 'Adventure', 'Romance', 'Sci-Fi', 'War']
    users = get_movielens_user_features(data_home=tmp_path)
    assert (users.age[1], users.gender[1], users.occupation[1], users.zip_code[1]) == (
        24, 'M', 'technician', '85711')


# --- spotlight's HDF5 datasets: goodbooks and amazon ----------------------------------------

def _hdf5_bytes(tmp_path, columns):
    h5py = pytest.importorskip('h5py')
    path = tmp_path / 'source.hdf5'
    with h5py.File(path, 'w') as handle:
        for name, values in columns.items():
            handle[name] = values
    return path.read_bytes()


def _sha256(content):
    import hashlib
    return hashlib.sha256(content).hexdigest()


def test_goodbooks_through_the_cache(tmp_path, grouplens, monkeypatch):
    ratings = np.array([[1, 10, 5], [2, 10, 3], [1, 7, 4]], dtype=np.int64)
    grouplens.files['goodbooks-10k.hdf5'] = _hdf5_bytes(tmp_path, {'ratings': ratings})
    monkeypatch.setattr(goodbooks, 'URL', grouplens.url.format(archive='goodbooks-10k.hdf5'))
    data = goodbooks.get_goodbooks_dataset(data_home=tmp_path / 'cache')
    np.testing.assert_array_equal(data.user_ids, [1, 2, 1])
    np.testing.assert_array_equal(data.ratings, [5, 3, 4])
    np.testing.assert_array_equal(data.timestamps, [0, 1, 2])
    assert (tmp_path / 'cache' / 'goodbooks' / 'goodbooks.hdf5.sha256').exists()
    grouplens.server_close()  # offline: the verified cache is enough
    assert len(goodbooks.get_goodbooks_dataset(data_home=tmp_path / 'cache')) == 3


def test_damaged_cached_goodbooks_file_is_fetched_again(tmp_path, grouplens, monkeypatch, capsys):
    grouplens.files['goodbooks-10k.hdf5'] = _hdf5_bytes(tmp_path, {'ratings': np.ones((2, 3))})
    monkeypatch.setattr(goodbooks, 'URL', grouplens.url.format(archive='goodbooks-10k.hdf5'))
    goodbooks.get_goodbooks_dataset(data_home=tmp_path)
    (tmp_path / 'goodbooks' / 'goodbooks.hdf5').write_bytes(b'damaged')
    assert len(goodbooks.get_goodbooks_dataset(data_home=tmp_path)) == 2
    assert 'failed its sha256 check' in capsys.readouterr().out
    assert grouplens.requests.count('/goodbooks-10k.hdf5') == 2


def test_unreachable_goodbooks_source_says_what_to_do(tmp_path, grouplens, monkeypatch):
    monkeypatch.setattr(goodbooks, 'URL', grouplens.url.format(archive='missing.hdf5'))
    with pytest.raises(DatasetUnavailableError, match='download it and place it at'):
        goodbooks.get_goodbooks_dataset(data_home=tmp_path)


def test_goodbooks_file_placed_by_hand_is_used_offline_and_recorded(tmp_path):
    content = _hdf5_bytes(tmp_path, {'ratings': np.full((4, 3), 2)})
    (tmp_path / 'goodbooks').mkdir()
    (tmp_path / 'goodbooks' / 'goodbooks.hdf5').write_bytes(content)
    data = goodbooks.get_goodbooks_dataset(data_home=tmp_path)  # no server: offline
    assert len(data) == 4 and data.ratings.tolist() == [2.0] * 4
    assert (tmp_path / 'goodbooks' / 'goodbooks.hdf5.sha256').read_text() == _sha256(content)


def test_amazon_filters_and_renumbers(tmp_path, grouplens, monkeypatch):
    users = np.array([50, 50, 50, 9, 9, 3, 50, 9], dtype=np.int64)
    items = np.array([700, 800, 900, 700, 800, 700, 700, 900], dtype=np.int64)
    columns = {'/user_id': users, '/item_id': items, '/rating': np.arange(8, dtype=np.float32),
               '/timestamp': np.arange(8) + 100, '/features_item_id': np.zeros(1),
               '/features_feature_id': np.zeros(1)}
    grouplens.files['amazon_co_purchasing.hdf5'] = _hdf5_bytes(tmp_path, columns)
    monkeypatch.setattr(amazon, 'URL', grouplens.url.format(archive='amazon_co_purchasing.hdf5'))
    data = amazon.get_amazon_dataset(min_user_interactions=2, min_item_interactions=3,
                                     data_home=tmp_path)
    # users 9 and 50 kept (-> 1, 2), user 3 dropped; items 700 (4 times) kept (-> 1) only
    np.testing.assert_array_equal(data.user_ids, [2, 1, 2])
    np.testing.assert_array_equal(data.item_ids, [1, 1, 1])
    np.testing.assert_array_equal(data.timestamps, [100, 103, 106])
    assert (data.num_users, data.num_items) == (3, 2)
    with pytest.raises(ValueError, match='min_user_interactions must be a non-negative integer'):
        amazon.get_amazon_dataset(min_user_interactions=-1)


# --- The synthetic generators ---------------------------------------------------------------

def test_generate_sequential_follows_its_chain():
    predictable = synthetic.generate_sequential(num_items=20, num_interactions=2000, order=1,
                                                concentration_parameter=1e-4, random_state=0)
    assert predictable.item_ids.min() >= 1 and np.all(np.diff(predictable.user_ids) >= 0)
    pairs = set(zip(predictable.item_ids[:-1].tolist(), predictable.item_ids[1:].tolist()))
    assert len(pairs) < 40  # nearly deterministic transitions: about one successor per item
    matrix = synthetic._build_transition_matrix(15, 1.0, np.random.RandomState(0))
    np.testing.assert_allclose(matrix.sum(0), 1, atol=1e-3)
    np.testing.assert_allclose(matrix.sum(1), 1, atol=1e-3)


def test_generate_content_based_picks_the_best_item():
    data = synthetic.generate_content_based(num_users=8, num_items=12, num_interactions=50,
                                            noise_stddev=0.0, random_state=3)
    contexts = np.hstack([data.user_features[data.user_ids], data.context_features])
    state = np.random.RandomState(3)
    for shape in ((8, 10), (12, 10), (50, 10)):
        state.randn(*shape)
    coefficients = state.randn(20, 10)
    best = np.argmax(contexts @ coefficients @ data.item_features.T, axis=1)
    np.testing.assert_array_equal(data.item_ids, best)
    again = synthetic.generate_content_based(num_users=8, num_items=12, num_interactions=50,
                                             noise_stddev=0.0, random_state=3)
    np.testing.assert_array_equal(again.user_ids, data.user_ids)


@pytest.mark.parametrize('call,message', [
    (lambda: synthetic.generate_sequential(num_items=1), 'num_items must be at least 2'),
    (lambda: synthetic.generate_sequential(concentration_parameter=0),
     'concentration_parameter must be a positive number'),
    (lambda: synthetic.generate_sequential(order=0), 'order must be a positive integer'),
    (lambda: synthetic.generate_content_based(noise_stddev=-1),
     'noise_stddev must be a non-negative number'),
])
def test_generators_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- Against the draws spotlight 0.1.6 made (tests/fixtures/spotlight/) ---------------------

@pytest.mark.parametrize('seed', sorted(REFERENCE))
def test_generate_sequential_draws_what_spotlight_draws(seed):
    expected = REFERENCE[seed]
    data = synthetic.generate_sequential(random_state=np.random.RandomState(int(seed)),
                                         **expected['kwargs'])
    assert (data.num_users, data.num_items) == (expected['num_users'], expected['num_items'])
    for field, dtype in (('user_ids', '<i4'), ('item_ids', '<i4'), ('ratings', '<f4'),
                         ('timestamps', '<i4')):
        assert fingerprint(getattr(data, field), dtype) == expected[field], field
