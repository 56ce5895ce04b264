"""
The MovieLens data chain: cache, GroupLens archive, PyPI wheel, in that order,
each verified. A local HTTP server on 127.0.0.1 plays GroupLens and a patched
``pip download`` plays PyPI, so every fault can be injected.
"""

import hashlib
import http.server
import io
import os
import threading
import time
import zipfile

import numpy as np
import pytest

from spotlight_compat.datasets import _cache, movielens
from spotlight_compat.datasets.movielens import (DatasetUnavailableError, get_movielens_dataset,
                                                 get_movielens_item_titles)

FAKE_RATINGS = ''.join(f'{u}\t{i}\t{(u + i) % 5 + 1}\t{880000000 + 7 * u + i}\n'
                       for u in range(1, 21) for i in range(1, 1683, 97)).encode()
FAKE_ITEMS = ''.join(f'{i}|Movie {i} (1990)|01-Jan-1990||http://x|0|1\n'
                     for i in range(1, 1683)).encode('latin-1')


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


FAKE_ARCHIVE = zip_bytes({'ml-100k/u.data': FAKE_RATINGS, 'ml-100k/u.item': FAKE_ITEMS})
FAKE_WHEEL_ITEMS = ('item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n'
                    + ''.join(f'{i}\tFilm {i}\t1991\tDrama\n' for i in range(1, 1683))).encode()
FAKE_WHEEL = zip_bytes({movielens.RECBOLE_RATINGS_MEMBER: b'user\titem\trating\ttime\n' + FAKE_RATINGS,
                        movielens.RECBOLE_ITEMS_MEMBER: FAKE_WHEEL_ITEMS})


class FakeGroupLens(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files``; ``server.mode`` injects a fault."""

    def do_GET(self):
        self.server.requests.append(self.path)
        body = self.server.files.get(self.path.lstrip('/'))
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.send_body(body)

    def send_body(self, body):
        mode = self.server.mode
        if mode == 'truncate':
            self.wfile.write(body[:len(body) // 2])
        elif mode == 'stall':
            self.wfile.write(body[:100])
            self.wfile.flush()
            time.sleep(3)
        elif mode == 'corrupt':
            self.wfile.write(bytes(len(body)))
        else:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def grouplens(monkeypatch):
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), FakeGroupLens)
    server.files = {movielens.ML100K_ARCHIVE: FAKE_ARCHIVE}
    server.mode = 'ok'
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(movielens, 'GROUPLENS_URL',
                        f'http://127.0.0.1:{server.server_address[1]}/{{archive}}')
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def pypi(monkeypatch):
    """A stand-in for ``pip download``: ``state['mode']`` is 'ok', 'fail' or 'corrupt'."""
    state = {'mode': 'ok', 'calls': 0}

    def fake_download(requirement, destination):
        state['calls'] += 1
        if state['mode'] == 'fail':
            raise movielens.FetchError('pip download recbole==1.2.1 failed: no network')
        wheel = os.path.join(destination, 'recbole-1.2.1-py3-none-any.whl')
        with open(wheel, 'wb') as handle:
            handle.write(FAKE_WHEEL if state['mode'] == 'ok' else b'not a zip')
        return movielens.Path(wheel)

    monkeypatch.setattr(movielens, '_download_pypi_wheel', fake_download)
    return state


@pytest.fixture
def fake_checksums(monkeypatch):
    monkeypatch.setattr(movielens, 'ML100K_RATINGS_SHA256', hashlib.sha256(FAKE_RATINGS).hexdigest())
    monkeypatch.setattr(movielens, 'ML100K_ARCHIVE_SHA256', hashlib.sha256(FAKE_ARCHIVE).hexdigest())
    monkeypatch.setattr(movielens, 'RECBOLE_ITEMS_SHA256', hashlib.sha256(FAKE_WHEEL_ITEMS).hexdigest())
    monkeypatch.setattr(_cache, 'CONNECT_TIMEOUT_SECONDS', 1)


def leftovers(directory):
    """Temporary files that an interrupted write might have left behind."""
    return [p.name for p in directory.rglob('*') if p.name.endswith('.part')]


def assert_fake_dataset(data):
    assert len(data) == FAKE_RATINGS.count(b'\n')
    assert data.user_ids.dtype == np.int32 and data.ratings.dtype == np.float32
    assert data.timestamps.dtype == np.int32
    assert data.user_ids[0] == 1 and data.item_ids[1] == 98 and data.timestamps[0] == 880000008


@pytest.mark.usefixtures('fake_checksums')
class TestSources:
    def test_grouplens_then_cache(self, tmp_path, grouplens, pypi):
        assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
        assert get_movielens_item_titles(tmp_path)[5] == 'Movie 5 (1990)'
        grouplens.mode = 'corrupt'  # the second run must not touch the network at all
        assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
        assert len(grouplens.requests) == 1 and pypi['calls'] == 0

    def test_environment_variable_sets_cache(self, tmp_path, grouplens, pypi, monkeypatch):
        monkeypatch.setenv('SPOTLIGHT_COMPAT_DATA', str(tmp_path / 'env-cache'))
        get_movielens_dataset('100K')
        assert (tmp_path / 'env-cache' / 'ml-100k' / 'u.data').read_bytes() == FAKE_RATINGS

    def test_pypi_when_grouplens_unreachable(self, tmp_path, grouplens, pypi):
        grouplens.server_close()  # connection refused from now on
        assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
        assert get_movielens_item_titles(tmp_path)[7] == 'Film 7 (1991)'
        assert pypi['calls'] == 1

    @pytest.mark.parametrize('fault', ['truncate', 'corrupt', 'stall'])
    def test_bad_transfer_falls_back_and_leaves_nothing(self, tmp_path, grouplens, pypi, fault):
        grouplens.mode = fault
        pypi['mode'] = 'fail'
        with pytest.raises(DatasetUnavailableError) as error:
            get_movielens_dataset('100K', data_home=tmp_path)
        message = str(error.value)
        assert 'GroupLens archive' in message and 'PyPI wheel recbole==1.2.1' in message
        assert {'truncate': 'cut short', 'corrupt': 'sha256 mismatch',
                'stall': 'timed out'}[fault] in message
        assert not (tmp_path / 'ml-100k' / 'u.data').exists()
        assert not (tmp_path / 'ml-100k' / movielens.ML100K_ARCHIVE).exists()
        assert leftovers(tmp_path) == []
        grouplens.mode = 'ok'  # the next run succeeds
        assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))

    def test_every_source_failing_says_what_to_do(self, tmp_path, grouplens, pypi):
        grouplens.server_close()
        pypi['mode'] = 'corrupt'
        with pytest.raises(DatasetUnavailableError) as error:
            get_movielens_dataset('100K', data_home=tmp_path)
        message = str(error.value)
        assert 'Tried, in order' in message and 'unreadable wheel' in message
        assert 'ml-100k.zip and place it at' in message
        assert str(tmp_path / 'ml-100k' / 'ml-100k.zip') in message

    def test_archive_placed_by_hand_is_used_offline(self, tmp_path, grouplens, pypi):
        grouplens.server_close()
        pypi['mode'] = 'fail'
        (tmp_path / 'ml-100k').mkdir()
        (tmp_path / 'ml-100k' / 'ml-100k.zip').write_bytes(FAKE_ARCHIVE)
        assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))

    def test_corrupt_cache_is_reported_and_fetched_again(self, tmp_path, grouplens, pypi, capsys):
        get_movielens_dataset('100K', data_home=tmp_path)
        cached = tmp_path / 'ml-100k' / 'u.data'
        cached.write_bytes(FAKE_RATINGS[:-40])
        (tmp_path / 'ml-100k' / 'ml-100k.zip').write_bytes(b'garbage')
        assert_fake_dataset(get_movielens_dataset('100K', data_home=tmp_path))
        assert 'failed its sha256 check' in capsys.readouterr().err
        assert cached.read_bytes() == FAKE_RATINGS

    def test_wrong_ratings_from_a_source_are_rejected(self, tmp_path, grouplens, pypi, monkeypatch):
        monkeypatch.setattr(movielens, 'ML100K_RATINGS_SHA256', '0' * 64)
        with pytest.raises(DatasetUnavailableError, match='failed the u.data sha256 check'):
            get_movielens_dataset('100K', data_home=tmp_path)
        assert not (tmp_path / 'ml-100k' / 'u.data').exists()


def test_unknown_variant_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'100K', '1M', '10M', '20M'"):
        get_movielens_dataset('100k')


def test_unwritable_cache_directory_is_explained(tmp_path):
    blocker = tmp_path / 'a-file'
    blocker.write_text('')
    with pytest.raises(DatasetUnavailableError, match='not writable.*data_home'):
        get_movielens_dataset('100K', data_home=blocker / 'cache')


def test_large_variant_remaps_ids_by_first_appearance(tmp_path, grouplens, monkeypatch):
    ratings = b'50::7::4::100\n3::7::2::101\n50::9::5::99\n8::2::1::103\n'
    archive = zip_bytes({'ml-1m/ratings.dat': ratings})
    grouplens.files['ml-1m.zip'] = archive
    spec = movielens.LARGE_VARIANTS['1M']
    monkeypatch.setitem(movielens.LARGE_VARIANTS, '1M',
                        (spec[0], hashlib.md5(archive).hexdigest()) + spec[2:])
    data = get_movielens_dataset('1M', data_home=tmp_path)
    assert data.user_ids.tolist() == [1, 2, 1, 3]
    assert data.item_ids.tolist() == [1, 1, 2, 3]
    assert data.ratings.tolist() == [4, 2, 5, 1] and data.timestamps.tolist() == [100, 101, 99, 103]
    assert (data.num_users, data.num_items) == (4, 4)


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / 'file.bin'
    target.write_bytes(b'old')
    with pytest.raises(OSError):
        with _cache.atomic_output(target) as handle:
            handle.write(b'new, half')
            raise OSError(28, 'No space left on device')
    assert target.read_bytes() == b'old' and leftovers(tmp_path) == []


@pytest.mark.network
def test_real_fetch_through_pypi(tmp_path, monkeypatch):
    """End to end against the real package registry, GroupLens forced unreachable."""
    monkeypatch.setattr(movielens, 'GROUPLENS_URL', 'http://127.0.0.1:9/{archive}')
    data = get_movielens_dataset('100K', data_home=tmp_path)
    assert repr(data) == '<Interactions dataset (944 users x 1683 items x 100000 interactions)>'
    assert _cache.file_digest(tmp_path / 'ml-100k' / 'u.data') == movielens.ML100K_RATINGS_SHA256
    titles = get_movielens_item_titles(tmp_path)
    assert titles[50] == 'Star Wars (1977)' and titles[1] == 'Toy Story (1995)'
