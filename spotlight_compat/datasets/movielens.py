"""
The MovieLens datasets, fetched on first use, verified, and cached.

MovieLens may not be redistributed, so nothing here ships the data: the files
come from the official GroupLens archives or, for 100K when GroupLens cannot be
reached, from the copy inside the ``recbole==1.2.1`` wheel on PyPI (downloaded
to a temporary directory, never installed). Whatever the source, the ratings
must match the known checksum of ``u.data`` before they are cached or used.
"""

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..id_mapping import IdMapping
from ..interactions import Interactions
from ._cache import (DatasetUnavailableError, FetchError, atomic_output, atomic_write_bytes,
                     cache_dir, cache_lock, digest, download, verified_file)

VARIANTS = ('100K', '1M', '10M', '20M')
GROUPLENS_URL = 'https://files.grouplens.org/datasets/movielens/{archive}'

ML100K_ARCHIVE = 'ml-100k.zip'
ML100K_ARCHIVE_SHA256 = '50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229'
ML100K_RATINGS_SHA256 = '06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490'
ML100K_NUM_ITEMS = 1682

RECBOLE_REQUIREMENT = 'recbole==1.2.1'
RECBOLE_RATINGS_MEMBER = 'recbole/dataset_example/ml-100k/ml-100k.inter'
RECBOLE_ITEMS_MEMBER = 'recbole/dataset_example/ml-100k/ml-100k.item'
RECBOLE_ITEMS_SHA256 = '51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532'

# The larger archives, checked against the MD5 sums GroupLens publishes beside them:
# (archive, md5, ratings member, field separator, header lines).
LARGE_VARIANTS = {
    '1M': ('ml-1m.zip', 'c4d9eecfca2ab87c1945afe126590906', 'ml-1m/ratings.dat', '::', 0),
    '10M': ('ml-10m.zip', 'ce571fd55effeba0271552578f2648bd', 'ml-10M100K/ratings.dat', '::', 0),
    '20M': ('ml-20m.zip', 'cd245b17a1ae2cc31bb14903e1204af3', 'ml-20m/ratings.csv', ',', 1),
}


def _log(message):
    print(message, file=sys.stderr)


def get_movielens_dataset(variant='100K', data_home=None):
    """
    Download (on first use), verify and load a MovieLens dataset.

    Parameters
    ----------
    variant: str, one of '100K', '1M', '10M', '20M'
    data_home: str or path, optional
        Cache directory; defaults to ``$SPOTLIGHT_COMPAT_DATA`` or
        ``~/.cache/spotlight_compat``.

    Returns
    -------
    Interactions
        int32 user and item ids, float32 ratings, int32 timestamps. 100K keeps
        the raw ids of ``u.data`` in file order (944 users x 1683 items); the
        larger variants remap ids to contiguous integers from 1 in order of first
        appearance.

    Raises
    ------
    ValueError
        For an unknown variant.
    DatasetUnavailableError
        When every source failed; the message lists each attempt and where to
        place the files by hand.
    """
    if variant not in VARIANTS:
        raise ValueError(f"Unknown MovieLens variant {variant!r}; choose one of "
                         f"{', '.join(map(repr, VARIANTS))}.")
    if variant == '100K':
        user_ids, item_ids, ratings, timestamps = _parse_ratings(
            _ml100k_directory(data_home).joinpath('u.data').read_bytes(), '\t', 0)
        return Interactions(user_ids, item_ids, ratings, timestamps)
    return _load_large_variant(variant, data_home)


def get_movielens_item_titles(data_home=None):
    """
    Movie titles of MovieLens 100K, indexed by item id.

    Returns
    -------
    array of str, shape (1683,)
        ``titles[item_id]`` is the title with its year, e.g. ``'Star Wars (1977)'``;
        ``titles[0]`` (the padding id) is ``'<padding>'``.
    """
    lines = _ml100k_directory(data_home).joinpath('titles.tsv').read_text('utf-8').splitlines()
    titles = np.empty(ML100K_NUM_ITEMS + 1, dtype=object)
    titles[0] = '<padding>'
    for line in lines:
        item_id, title = line.split('\t', 1)
        titles[int(item_id)] = title
    return titles


def _parse_ratings(content, separator, header_lines):
    """Parse 'user<sep>item<sep>rating<sep>timestamp' lines into four arrays."""
    text = content.decode('utf-8')
    if separator != '\t':
        text = text.replace(separator, '\t')
    table = np.loadtxt(io.StringIO(text), delimiter='\t', skiprows=header_lines,
                       dtype=np.float64, ndmin=2)
    return (table[:, 0].astype(np.int32), table[:, 1].astype(np.int32),
            table[:, 2].astype(np.float32), table[:, 3].astype(np.int32))


# --- MovieLens 100K -------------------------------------------------------------------------

def _titles_tsv_is_valid(path):
    if not path.exists():
        return False
    ids = [line.split('\t', 1)[0] for line in path.read_text('utf-8').splitlines()]
    if ids == [str(i) for i in range(1, ML100K_NUM_ITEMS + 1)]:
        return True
    _log(f"Cached file {path} is not a complete title list; fetching it again.")
    path.unlink()
    return False


def _ml100k_directory(data_home):
    """The cache directory holding a verified ``u.data`` and ``titles.tsv``."""
    directory = cache_dir(data_home) / 'ml-100k'
    with cache_lock(directory):
        ratings_ok = verified_file(directory / 'u.data', ML100K_RATINGS_SHA256, warn=_log)
        if ratings_ok and _titles_tsv_is_valid(directory / 'titles.tsv'):
            return directory
        failures = []
        for name, source in ML100K_SOURCES:
            try:
                ratings, titles = source(directory)
            except FetchError as error:
                failures.append(f"{name}: {error}")
                continue
            if digest(ratings) != ML100K_RATINGS_SHA256:
                failures.append(f"{name}: the ratings failed the u.data sha256 check")
                continue
            atomic_write_bytes(directory / 'titles.tsv', titles.encode('utf-8'))
            atomic_write_bytes(directory / 'u.data', ratings)
            return directory
        raise DatasetUnavailableError(_unavailable_message('MovieLens 100K', failures, (
            f"download {GROUPLENS_URL.format(archive=ML100K_ARCHIVE)} and place it at "
            f"{directory / ML100K_ARCHIVE}")))


def _unavailable_message(dataset, failures, manual_step):
    tried = '\n'.join(f"  - {failure}" for failure in failures)
    return (f"Could not obtain {dataset}. Tried, in order:\n{tried}\n"
            f"To install it by hand, {manual_step}, then run again "
            f"(the file is verified against its checksum).")


def _from_grouplens_100k(directory):
    """Ratings and titles from the official archive (cached zip or download)."""
    archive = directory / ML100K_ARCHIVE
    if not verified_file(archive, ML100K_ARCHIVE_SHA256, warn=_log):
        download(GROUPLENS_URL.format(archive=ML100K_ARCHIVE), archive, ML100K_ARCHIVE_SHA256)
    try:
        with zipfile.ZipFile(archive) as zipped:
            ratings = zipped.read('ml-100k/u.data')
            items = zipped.read('ml-100k/u.item').decode('latin-1')
    except (zipfile.BadZipFile, KeyError) as error:
        raise FetchError(f"unreadable archive {archive}: {error}") from error
    titles = ''.join(f"{fields[0]}\t{fields[1]}\n"
                     for fields in (line.split('|') for line in items.splitlines() if line))
    return ratings, titles


def _download_pypi_wheel(requirement, destination):
    """``pip download --no-deps`` one wheel into ``destination``; return its path."""
    command = [sys.executable, '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:',
               '--disable-pip-version-check', '--quiet', '--dest', str(destination), requirement]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FetchError(f"pip download {requirement} failed: {error}") from error
    wheels = sorted(Path(destination).glob('*.whl'))
    if result.returncode != 0 or not wheels:
        last_line = (result.stderr.strip().splitlines() or ['no output'])[-1]
        raise FetchError(f"pip download {requirement} failed: {last_line}")
    return wheels[0]


def _from_pypi_recbole(directory):
    """Ratings and titles from the MovieLens 100K copy inside the recbole wheel."""
    _log(f"Fetching MovieLens 100K from the {RECBOLE_REQUIREMENT} wheel on PyPI "
         "(downloaded to a temporary directory, not installed).")
    with tempfile.TemporaryDirectory() as scratch:
        wheel = _download_pypi_wheel(RECBOLE_REQUIREMENT, scratch)
        try:
            with zipfile.ZipFile(wheel) as zipped:
                inter = zipped.read(RECBOLE_RATINGS_MEMBER)
                items = zipped.read(RECBOLE_ITEMS_MEMBER)
        except (zipfile.BadZipFile, KeyError) as error:
            raise FetchError(f"unreadable wheel {wheel.name}: {error}") from error
    if digest(items) != RECBOLE_ITEMS_SHA256:
        raise FetchError(f"{RECBOLE_ITEMS_MEMBER} failed its sha256 check")
    # The .inter file is u.data with one header line in front.
    ratings = inter.split(b'\n', 1)[1] if b'\n' in inter else b''
    return ratings, _recbole_titles(items.decode('utf-8'))


def _recbole_titles(items):
    """'id<TAB>title<TAB>year<TAB>genres' rows into 'id<TAB>Title (year)' lines."""
    lines = []
    for row in items.splitlines()[1:]:
        item_id, title, year = row.split('\t')[:3]
        if title == 'unkonwn':  # sic, item 267 in the wheel
            title, year = 'unknown', ''
        lines.append(f"{item_id}\t{title} ({year})\n" if year else f"{item_id}\t{title}\n")
    return ''.join(lines)


ML100K_SOURCES = (
    ('GroupLens archive', _from_grouplens_100k),
    (f'PyPI wheel {RECBOLE_REQUIREMENT}', _from_pypi_recbole),
)


# --- MovieLens 1M, 10M, 20M -----------------------------------------------------------------

def _load_large_variant(variant, data_home):
    archive_name, md5, member, separator, header_lines = LARGE_VARIANTS[variant]
    directory = cache_dir(data_home)
    parsed = directory / f'ml-{variant.lower()}.npz'
    with cache_lock(directory):
        if not parsed.exists():  # written atomically, only ever from a verified archive
            archive = directory / archive_name
            if not verified_file(archive, md5, algorithm='md5', warn=_log):
                url = GROUPLENS_URL.format(archive=archive_name)
                try:
                    download(url, archive, md5, algorithm='md5')
                except FetchError as error:
                    raise DatasetUnavailableError(_unavailable_message(
                        f'MovieLens {variant}', [f"GroupLens archive {url}: {error}"],
                        f"download {url} and place it at {archive}")) from error
            with zipfile.ZipFile(archive) as zipped:
                columns = _parse_ratings(zipped.read(member), separator, header_lines)
            with atomic_output(parsed) as handle:
                np.savez(handle, *columns)
        with np.load(parsed) as stored:
            user_ids, item_ids, ratings, timestamps = (stored[f'arr_{i}'] for i in range(4))
    # ids 1, 2, ... in the order each first appears
    return Interactions(IdMapping(user_ids).to_ids(user_ids), IdMapping(item_ids).to_ids(item_ids),
                        ratings, timestamps)
