"""What several test modules share: fake data, fake servers, stub models, golden values."""

import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np

GOLDEN = Path(__file__).parent / 'fixtures' / 'golden'
ROOT = Path(__file__).resolve().parent.parent


def fingerprint(array, dtype):
    return hashlib.sha256(np.ascontiguousarray(array, dtype=dtype).tobytes()).hexdigest()


def load_golden(name):
    return json.loads((GOLDEN / name).read_text())


def random_interactions(num_users=30, num_items=40, n=500, seed=0, with_zero_item=False):
    from spotlight_compat.interactions import Interactions
    rs = np.random.RandomState(seed)
    low = 0 if with_zero_item else 1
    return Interactions(rs.randint(0, num_users, n), rs.randint(low, num_items, n),
                        ratings=rs.randint(1, 6, n).astype(np.float32),
                        timestamps=rs.randint(0, 50, n), num_users=num_users,
                        num_items=num_items)


class StubModel:
    """
    A model that returns the rows of a fixed score matrix, in call order.

    ``predict(*ids)`` returns the next row; with ``batched=True`` the model also
    offers ``predict_sequences(prefixes)``, returning the next ``len(prefixes)``
    rows. With ``prefixes`` given, every call checks that it was asked about the
    expected prefixes, in order.
    """

    def __init__(self, scores, prefixes=None, batched=True):
        self.scores, self.prefixes, self.calls = np.asarray(scores), prefixes, 0
        if batched:
            self.predict_sequences = self._predict_sequences

    def _next_rows(self, count, asked):
        rows = slice(self.calls, self.calls + count)
        if self.prefixes is not None:
            np.testing.assert_array_equal(asked, self.prefixes[rows])
        self.calls += count
        return self.scores[rows].copy()

    def predict(self, *ids):
        return self._next_rows(1, ids[0][None])[0]

    def _predict_sequences(self, prefixes):
        return self._next_rows(len(prefixes), prefixes)


# --- A fake GroupLens and PyPI for the dataset tests ----------------------------------------
# A local HTTP server on 127.0.0.1 plays GroupLens and a stand-in for ``pip download``
# plays PyPI, so every fault can be injected without the network. The fake 100K files have
# the real layout (943 users, 1682 movies, item 267 'unknown', one latin-1 title, one title
# with a trailing space) but made-up content and checksums.

def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _zip_bytes(members):
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        for name, content in members.items():  # fixed dates: the same bytes in every process
            archive.writestr(zipfile.ZipInfo(name, date_time=(1998, 4, 1, 0, 0, 0)), content)
    return buffer.getvalue()


GENRES = ('unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime',
          'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery',
          'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western')


def fake_movie(item_id):
    """(name, year, genre flags) of fake movie ``item_id``; year 0 = unknown."""
    if item_id == 267:
        return 'unknown', 0, '1' + '0' * 18
    name = 'Misérables, Les' if item_id == 5 else f'Movie {item_id}'
    return name, 1900 + item_id % 100, ''.join('1' if (item_id + g) % 7 == 0 else '0'
                                               for g in range(1, 20))


def fake_title(item_id):
    name, year, _ = fake_movie(item_id)
    return f'{name} ({year})' if year else name


FAKE_RATINGS = ''.join(f'{u}\t{i}\t{(u + i) % 5 + 1}\t{880000000 + 7 * u + i}\n'
                       for u in range(1, 21) for i in range(1, 1683, 97)).encode()
FAKE_USERS = ''.join(f'{u}|{17 + u % 50}|{"FM"[u % 2]}|{("writer", "student", "other")[u % 3]}|'
                     f'{u:05d}\n' for u in range(1, 944)).encode()
FAKE_ITEMS = ''.join(  # u.item: id|title|release date|video date|url|19 flags; item 9 ends in ' '
    f'{i}|{fake_title(i)}{" " if i == 9 else ""}|01-Jan-1990||http://x|{"|".join(fake_movie(i)[2])}\n'
    for i in range(1, 1683)).encode('latin-1')
FAKE_ITEMS_TSV = ''.join(f'{i}\t{fake_title(i)}\t{fake_movie(i)[1]}\t{fake_movie(i)[2]}\n'
                         for i in range(1, 1683)).encode()
FAKE_ARCHIVE = _zip_bytes({'ml-100k/u.data': FAKE_RATINGS, 'ml-100k/u.user': FAKE_USERS,
                           'ml-100k/u.item': FAKE_ITEMS})


def _recbole_item_row(item_id):
    name, year, flags = fake_movie(item_id)
    if item_id == 267:  # as in the real wheel
        return '267\tunkonwn\tunkonwn\tunknown\n'
    return f'{item_id}\t{name}\t{year}\t' + ' '.join(g for g, f in zip(GENRES, flags) if f == '1') + '\n'


FAKE_WHEEL = _zip_bytes({
    'recbole/dataset_example/ml-100k/ml-100k.inter': b'user_id:token\titem_id:token\t'
    b'rating:float\ttimestamp:float\n' + FAKE_RATINGS,
    'recbole/dataset_example/ml-100k/ml-100k.user': b'user_id:token\tage:token\tgender:token\t'
    b'occupation:token\tzip_code:token\n' + FAKE_USERS.replace(b'|', b'\t'),
    'recbole/dataset_example/ml-100k/ml-100k.item': (
        'item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n'
        + ''.join(_recbole_item_row(i) for i in range(1, 1683))).encode(),
})

# ML-1M and ML-20M in miniature: users 50, 3, 8 and movies 7, 9, 2 are rated (first
# appearance order gives them ids 1, 2, 3); movie 4 and user 11 are never rated.
ML1M_ARCHIVE = _zip_bytes({
    'ml-1m/ratings.dat': b'50::7::4::100\n3::7::2::101\n50::9::5::99\n8::2::1::103\n',
    'ml-1m/movies.dat': ('2::Caf\xe9 (1994)::Comedy|Drama\n4::Unrated (1990)::Horror\n'
                         '7::Heat (1995)::Action|Crime|Thriller\n9::Sabrina (1954)::Comedy|Romance\n'
                         ).encode('latin-1'),
    'ml-1m/users.dat': b'3::F::1::10::48067\n8::M::56::16::70072\n11::M::25::15::55117\n'
    b'50::F::35::0::02460\n',
})
ML20M_ARCHIVE = _zip_bytes({
    'ml-20m/ratings.csv': b'userId,movieId,rating,timestamp\n50,7,4.0,100\n3,7,2.5,101\n'
    b'50,9,5.0,99\n8,2,1.0,103\n',
    'ml-20m/movies.csv': 'movieId,title,genres\n2,"American President, The (1995)",Comedy|Drama|'
    'Romance\n4,Unrated (1990),Horror\n7,Heat (1995),Action|Crime|Thriller\n'
    '9,Sabrina (1954),(no genres listed)\n'.encode(),
})


def fake_constants(url):
    """The ``movielens`` constants that point it at the fake GroupLens and its checksums."""
    from spotlight_compat.datasets import movielens
    large = dict(movielens.LARGE_VARIANTS)
    for variant, archive in (('1M', ML1M_ARCHIVE), ('20M', ML20M_ARCHIVE)):
        large[variant] = (large[variant][0], hashlib.md5(archive).hexdigest()) + large[variant][2:]
    return {'GROUPLENS_URL': url, 'ML100K_ARCHIVE_SHA256': _sha256(FAKE_ARCHIVE),
            'ML100K_ITEMS_SHA256': _sha256(FAKE_ITEMS), 'LARGE_VARIANTS': large,
            'ML100K_FILES_SHA256': {'u.data': _sha256(FAKE_RATINGS), 'u.user': _sha256(FAKE_USERS),
                                    'items.tsv': _sha256(FAKE_ITEMS_TSV)}}


def fake_grouplens_handler():
    import http.server
    import time

    class FakeGroupLens(http.server.BaseHTTPRequestHandler):
        """Serves ``server.files``; ``server.mode`` injects a fault: 'truncate' (half the
        body), 'corrupt' (zeros), 'stall' (100 bytes, then 3 s of silence), 'hang' (a
        piece, then silence until ``server.release``); ``server.delay`` sends the body in
        20 pieces that many seconds apart. ``server.faults`` lists modes for the next
        requests, one each, before ``server.mode`` applies again."""

        def do_GET(self):
            self.server.requests.append(self.path)
            body = self.server.files.get(self.path.lstrip('/'))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            mode = self.server.faults.pop(0) if self.server.faults else self.server.mode
            try:
                self.send_body(body, mode)
            except OSError:  # the client went away
                pass

        def send_body(self, body, mode):
            if mode == 'truncate':
                self.wfile.write(body[:len(body) // 2])
            elif mode == 'corrupt':
                self.wfile.write(bytes(len(body)))
            elif mode == 'stall':
                self.wfile.write(body[:100])
                self.wfile.flush()
                time.sleep(3)
            else:
                piece = len(body) // 20 + 1
                for start in range(0, len(body), piece):
                    self.wfile.write(body[start:start + piece])
                    self.wfile.flush()
                    if mode == 'hang':
                        self.server.release.wait(30)
                        return
                    time.sleep(self.server.delay)

        def log_message(self, *args):
            pass

    return FakeGroupLens


def fake_pip_download(state):
    from spotlight_compat.datasets import movielens

    def pip_download(requirement, destination):
        state['calls'] += 1
        if state['mode'] == 'fail':
            raise movielens.FetchError(f'pip download {requirement} failed: offline (test)')
        wheel = Path(destination) / 'recbole-1.2.1-py3-none-any.whl'
        wheel.write_bytes(FAKE_WHEEL if state['mode'] == 'ok' else b'not a zip')
        return wheel

    return pip_download


def stray_files(directory):
    """Temporary files an interrupted write could leave anywhere under ``directory``:
    '*.part' and 'tmp*'."""
    return sorted(p.name for p in Path(directory).rglob('*')
                  if p.name.endswith('.part') or p.name.startswith('tmp'))


def unique_pair_ratings(num_users=30, num_items=40, n=900, seed=0):
    """Random 1-5 star ratings, one per (user, item) pair."""
    from spotlight_compat.interactions import Interactions
    rng = np.random.RandomState(seed)
    cells = rng.choice(num_users * num_items, size=n, replace=False)
    return Interactions(cells // num_items, cells % num_items,
                        ratings=rng.randint(1, 6, size=n).astype(np.float32),
                        num_users=num_users, num_items=num_items)


def spotlight_reference():
    """The values measured with the original spotlight, by section
    (``tests/fixtures/spotlight/reference_values.json``)."""
    return json.loads((Path(__file__).parent / 'fixtures' / 'spotlight' / 'reference_values.json').read_text())


def cannot_rank(scores):
    """Whether every score is ``recsys_models.protocol.CANNOT_RANK`` (in the scores' own dtype)."""
    from recsys_models.protocol import CANNOT_RANK
    scores = np.asarray(scores)
    return bool(np.all(scores == np.asarray(CANNOT_RANK, dtype=scores.dtype)))


def git_files(*patterns):
    """The files git tracks, or would track (new, not ignored), matching ``patterns``."""
    return subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard', *patterns],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
