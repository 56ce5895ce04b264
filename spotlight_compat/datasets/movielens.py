"""
The MovieLens datasets and their side information (users, movies), fetched on
first use, verified, and cached.

MovieLens may not be redistributed, so nothing here ships the data: the files
come from the official GroupLens archives or, for 100K when GroupLens cannot be
reached, from the copy inside the ``recbole==1.2.1`` wheel on PyPI (downloaded
to a temporary directory, never installed). Whatever the source, the 100K files
must match known checksums before they are cached or used.
"""

import io
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..id_mapping import IdMapping
from ..interactions import Interactions
from ..atomic import atomic_output, atomic_write_bytes
from .cache import (DatasetUnavailableError, FetchError, cache_dir, cache_lock, digest, download,
                    verified_file)

VARIANTS = ('100K', '1M', '10M', '20M')
GROUPLENS_URL = 'https://files.grouplens.org/datasets/movielens/{archive}'

ML100K_ARCHIVE = 'ml-100k.zip'
ML100K_ARCHIVE_SHA256 = '50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229'
# The cached 100K files and their sha256. ``u.data`` and ``u.user`` are byte for byte
# the GroupLens files; ``items.tsv`` is this package's normal form of ``u.item`` (id,
# title, year, the 19 genre flags), which both sources produce identically.
ML100K_FILES_SHA256 = {
    'u.data': '06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490',
    'u.user': 'f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c',
    'items.tsv': '4e3959a904f7824a768fa71e07d8b3180ccee06a0c839a26f843b7553f0e297a',
}
# sha256 of u.item as GroupLens ships it (latin-1), checked when it comes from the archive.
ML100K_ITEMS_SHA256 = '553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701'
ML100K_NUM_ITEMS = 1682
ML100K_GENRES = ('unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy',
                 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical',
                 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western')

RECBOLE_REQUIREMENT = 'recbole==1.2.1'
RECBOLE_MEMBER = 'recbole/dataset_example/ml-100k/ml-100k.{}'

# The larger archives, checked against the MD5 sums GroupLens publishes beside them:
# (archive, md5, ratings member, field separator, header lines).
LARGE_VARIANTS = {
    '1M': ('ml-1m.zip', 'c4d9eecfca2ab87c1945afe126590906', 'ml-1m/ratings.dat', '::', 0),
    '10M': ('ml-10m.zip', 'ce571fd55effeba0271552578f2648bd', 'ml-10M100K/ratings.dat', '::', 0),
    '20M': ('ml-20m.zip', 'cd245b17a1ae2cc31bb14903e1204af3', 'ml-20m/ratings.csv', ',', 1),
}
# Side information in the larger archives: (movies member, users member or None).
LARGE_VARIANT_FEATURES = {
    '1M': ('ml-1m/movies.dat', 'ml-1m/users.dat'),
    '10M': ('ml-10M100K/movies.dat', None),
    '20M': ('ml-20m/movies.csv', None),
}
# Occupation codes of ML-1M's users.dat, from its README.
ML1M_OCCUPATIONS = ('other', 'academic/educator', 'artist', 'clerical/admin',
                    'college/grad student', 'customer service', 'doctor/health care',
                    'executive/managerial', 'farmer', 'homemaker', 'K-12 student', 'lawyer',
                    'programmer', 'retired', 'sales/marketing', 'scientist', 'self-employed',
                    'technician/engineer', 'tradesman/craftsman', 'unemployed', 'writer')
NO_GENRES = '(no genres listed)'


@dataclass(frozen=True)
class UserFeatures:
    """
    What a MovieLens variant records about its users, one row per user id.

    Every array is indexed by the user id of ``get_movielens_dataset(variant)``:
    ``features.age[dataset.user_ids]`` gives each interaction's user age. Row 0
    is padding (100K has no user 0; the larger variants number users from 1):
    age 0 and empty strings.

    Attributes
    ----------
    age: int32 array
        Age in years (100K), or ML-1M's age-group code: the group's lower bound
        (1 = under 18, 18 = 18-24, 25, 35, 45, 50, 56 = 56 and over).
    gender: str array
        ``'M'`` or ``'F'``.
    occupation: str array
        Occupation name, e.g. ``'technician'``.
    zip_code: str array
        Zip code as recorded (a few are not US zip codes).
    """

    age: np.ndarray
    gender: np.ndarray
    occupation: np.ndarray
    zip_code: np.ndarray

    def __len__(self):
        return len(self.age)


@dataclass(frozen=True)
class ItemFeatures:
    """
    What a MovieLens variant records about its movies, one row per item id.

    Every array is indexed by the item id of ``get_movielens_dataset(variant)``:
    ``features.genres[dataset.item_ids]`` is each interaction's genre flags.
    Row 0 is padding: title ``'<padding>'``, year 0, no genre.

    Attributes
    ----------
    title: object array of str
        Title with its year, e.g. ``'Star Wars (1977)'``.
    year: int32 array
        The year in the title (the film's year); 0 where the title has none.
    genres: bool array, shape (num_items, len(genre_names))
        ``genres[item, g]`` is True when the movie has genre ``genre_names[g]``.
    genre_names: tuple of str
        The genre of each column of ``genres``.
    """

    title: np.ndarray
    year: np.ndarray
    genres: np.ndarray
    genre_names: tuple

    def __len__(self):
        return len(self.title)


def _log(message):
    print(message, file=sys.stderr)


def _check_variant(variant):
    if variant not in VARIANTS:
        raise ValueError(f"Unknown MovieLens variant {variant!r}; choose one of "
                         f"{', '.join(map(repr, VARIANTS))}.")


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
    _check_variant(variant)
    if variant == '100K':
        user_ids, item_ids, ratings, timestamps = _parse_ratings(
            _ml100k_directory(data_home).joinpath('u.data').read_bytes(), '\t', 0)
        return Interactions(user_ids, item_ids, ratings, timestamps)
    user_ids, item_ids, ratings, timestamps = _large_variant_ratings(variant, data_home)
    # ids 1, 2, ... in the order each first appears
    return Interactions(IdMapping(user_ids).to_ids(user_ids), IdMapping(item_ids).to_ids(item_ids),
                        ratings, timestamps)


def get_movielens_user_features(variant='100K', data_home=None):
    """
    The users' age, gender, occupation and zip code (100K and 1M).

    Parameters
    ----------
    variant: str, '100K' or '1M'
        10M and 20M record nothing about their users.
    data_home: str or path, optional
        Cache directory, as for ``get_movielens_dataset``.

    Returns
    -------
    UserFeatures
        Arrays indexed by the dataset's user ids (100K: 944 rows; 1M: 6041).

    Examples
    --------
    >>> users = get_movielens_user_features()                    # doctest: +SKIP
    >>> users.age[1], users.gender[1], users.occupation[1]       # doctest: +SKIP
    (24, 'M', 'technician')
    """
    _check_variant(variant)
    if variant == '100K':
        text = _ml100k_directory(data_home).joinpath('u.user').read_text('utf-8')
        return _user_features([line.split('|') for line in text.splitlines()])
    if LARGE_VARIANT_FEATURES[variant][1] is None:
        raise ValueError(f"variant={variant!r} has no user features: MovieLens {variant} "
                         "records nothing about its users; use '100K' or '1M'.")
    return _large_variant_users(variant, data_home)


def get_movielens_item_features(variant='100K', data_home=None):
    """
    The movies' titles, years and genres.

    Parameters
    ----------
    variant: str, one of '100K', '1M', '10M', '20M'
    data_home: str or path, optional
        Cache directory, as for ``get_movielens_dataset``.

    Returns
    -------
    ItemFeatures
        Arrays indexed by the dataset's item ids (100K: 1683 rows, 19 genres).
        For the larger variants, movies nobody rated are left out, as they are
        from the dataset's ids.

    Examples
    --------
    >>> items = get_movielens_item_features()                    # doctest: +SKIP
    >>> items.title[50], items.year[50]                          # doctest: +SKIP
    ('Star Wars (1977)', 1977)
    >>> [items.genre_names[g] for g in np.flatnonzero(items.genres[50])]  # doctest: +SKIP
    ['Action', 'Adventure', 'Romance', 'Sci-Fi', 'War']
    """
    _check_variant(variant)
    if variant == '100K':
        rows = [line.split('\t') for line in
                _ml100k_directory(data_home).joinpath('items.tsv').read_text('utf-8').splitlines()]
        return _item_features([int(row[0]) for row in rows], [row[1] for row in rows],
                              [[flag == '1' for flag in row[3]] for row in rows], ML100K_GENRES)
    return _large_variant_items(variant, data_home)


def get_movielens_item_titles(variant='100K', data_home=None):
    """
    Movie titles, indexed by item id (``get_movielens_item_features(...).title``).

    Parameters
    ----------
    variant: str, optional
        As for ``get_movielens_item_features``.
    data_home: str or Path, optional
        As for ``get_movielens_item_features``.

    Returns
    -------
    object array of str, shape (num_items,)
        ``titles[item_id]`` is the title with its year, e.g. ``'Star Wars (1977)'``;
        ``titles[0]`` (the padding id) is ``'<padding>'``.
    """
    return get_movielens_item_features(variant, data_home).title


# --- Parsing --------------------------------------------------------------------------------

def _parse_ratings(content, separator, header_lines):
    """Parse 'user<sep>item<sep>rating<sep>timestamp' lines into four arrays."""
    text = content.decode('utf-8')
    if separator != '\t':
        text = text.replace(separator, '\t')
    table = np.loadtxt(io.StringIO(text), delimiter='\t', skiprows=header_lines,
                       dtype=np.float64, ndmin=2)
    return (table[:, 0].astype(np.int32), table[:, 1].astype(np.int32),
            table[:, 2].astype(np.float32), table[:, 3].astype(np.int32))


def _title_year(title):
    """The last four-digit year in parentheses in ``title``, or 0."""
    years = re.findall(r'\((\d{4})\)', title)
    return int(years[-1]) if years else 0


def _item_features(ids, titles, genre_flags, genre_names):
    """``ItemFeatures`` with row ``ids[k]`` holding ``titles[k]`` and ``genre_flags[k]``."""
    ids = np.asarray(ids, dtype=np.int64)
    size = int(ids.max()) + 1 if len(ids) else 1
    title = np.full(size, '', dtype=object)
    title[0] = '<padding>'
    title[ids] = titles
    year = np.zeros(size, dtype=np.int32)
    year[ids] = [_title_year(text) for text in titles]
    genres = np.zeros((size, len(genre_names)), dtype=bool)
    genres[ids] = np.asarray(genre_flags, dtype=bool).reshape(len(ids), len(genre_names))
    return ItemFeatures(title, year, genres, tuple(genre_names))


def _user_features(rows, ids=None):
    """``UserFeatures`` from (id, age, gender, occupation, zip) rows; ``ids`` overrides the ids."""
    ids = np.asarray([int(row[0]) for row in rows] if ids is None else ids, dtype=np.int64)
    size = int(ids.max()) + 1 if len(ids) else 1
    age = np.zeros(size, dtype=np.int32)
    age[ids] = [int(row[1]) for row in rows]
    columns = [np.full(size, '', dtype=object) for _ in range(3)]
    for column, position in zip(columns, (2, 3, 4)):
        column[ids] = [row[position] for row in rows]
    return UserFeatures(age, *(column.astype(str) for column in columns))


# --- MovieLens 100K -------------------------------------------------------------------------

def _ml100k_directory(data_home):
    """The cache directory holding verified ``u.data``, ``u.user`` and ``items.tsv``."""
    directory = cache_dir(data_home) / 'ml-100k'
    with cache_lock(directory):
        if all([verified_file(directory / name, expected, warn=_log)
                for name, expected in ML100K_FILES_SHA256.items()]):
            return directory
        failures = []
        for name, source in ML100K_SOURCES:
            try:
                files = source(directory)
            except FetchError as error:
                failures.append(f"{name}: {error}")
                continue
            wrong = [file for file, expected in ML100K_FILES_SHA256.items()
                     if digest(files[file]) != expected]
            if wrong:
                failures.append(f"{name}: {', '.join(wrong)} failed the sha256 check")
                continue
            for file in ML100K_FILES_SHA256:
                atomic_write_bytes(directory / file, files[file])
            return directory
        raise DatasetUnavailableError(_unavailable_message('MovieLens 100K', failures, (
            f"download {GROUPLENS_URL.format(archive=ML100K_ARCHIVE)} and place it at "
            f"{directory / ML100K_ARCHIVE}")))


def _unavailable_message(dataset, failures, manual_step):
    tried = '\n'.join(f"  - {failure}" for failure in failures)
    return (f"Could not obtain {dataset}. Tried, in order:\n{tried}\n"
            f"To install it by hand, {manual_step}, then run again "
            f"(the file is verified against its checksum).")


def _items_tsv(rows):
    """The normal form of the movie list: 'id<TAB>title<TAB>year<TAB>19 genre flags' lines."""
    return ''.join(f"{item_id}\t{title.strip()}\t{_title_year(title)}\t{flags}\n"
                   for item_id, title, flags in rows).encode('utf-8')


def _from_grouplens_100k(directory):
    """The 100K files from the official archive (cached zip or download)."""
    archive = directory / ML100K_ARCHIVE
    if not verified_file(archive, ML100K_ARCHIVE_SHA256, warn=_log):
        download(GROUPLENS_URL.format(archive=ML100K_ARCHIVE), archive, ML100K_ARCHIVE_SHA256)
    try:
        with zipfile.ZipFile(archive) as zipped:
            ratings, users, items = (zipped.read(f'ml-100k/{name}')
                                     for name in ('u.data', 'u.user', 'u.item'))
    except (zipfile.BadZipFile, KeyError) as error:
        raise FetchError(f"unreadable archive {archive}: {error}") from error
    if digest(items) != ML100K_ITEMS_SHA256:
        raise FetchError("u.item failed its sha256 check")
    rows = [line.split('|') for line in items.decode('latin-1').splitlines()]
    return {'u.data': ratings, 'u.user': users,
            'items.tsv': _items_tsv((row[0], row[1], ''.join(row[5:24])) for row in rows)}


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
    """
    The 100K files from the copy inside the recbole wheel: its ``.inter`` and
    ``.user`` files are ``u.data`` and ``u.user`` with a header line (and tabs
    for ``|``); its ``.item`` file splits the title from its year.
    """
    _log(f"Fetching MovieLens 100K from the {RECBOLE_REQUIREMENT} wheel on PyPI "
         "(downloaded to a temporary directory, not installed).")
    with tempfile.TemporaryDirectory() as scratch:
        wheel = _download_pypi_wheel(RECBOLE_REQUIREMENT, scratch)
        try:
            with zipfile.ZipFile(wheel) as zipped:
                inter, users, items = (zipped.read(RECBOLE_MEMBER.format(kind)).decode('utf-8')
                                       for kind in ('inter', 'user', 'item'))
        except (zipfile.BadZipFile, KeyError, UnicodeDecodeError) as error:
            raise FetchError(f"unreadable wheel {wheel.name}: {error}") from error
    return {'u.data': _without_header(inter).encode('utf-8'),
            'u.user': _without_header(users).replace('\t', '|').encode('utf-8'),
            'items.tsv': _items_tsv(_recbole_items(_without_header(items)))}


def _without_header(text):
    return text.split('\n', 1)[1] if '\n' in text else ''


def _recbole_items(items):
    """(id, 'Title (year)', genre flags) from 'id<TAB>title<TAB>year<TAB>genres' rows."""
    for row in items.splitlines():
        item_id, title, year, genres = row.split('\t')[:4]
        if title == 'unkonwn':  # sic, item 267 in the wheel
            title, year = 'unknown', ''
        flags = ''.join('1' if genre in genres.split(' ') else '0' for genre in ML100K_GENRES)
        yield item_id, f"{title} ({year})" if year else title, flags


ML100K_SOURCES = (
    ('GroupLens archive', _from_grouplens_100k),
    (f'PyPI wheel {RECBOLE_REQUIREMENT}', _from_pypi_recbole),
)


# --- MovieLens 1M, 10M, 20M -----------------------------------------------------------------

def _large_variant_archive(variant, directory):
    """The verified archive of ``variant`` in ``directory`` (downloaded if needed)."""
    archive_name, md5 = LARGE_VARIANTS[variant][:2]
    archive = directory / archive_name
    if not verified_file(archive, md5, algorithm='md5', warn=_log):
        url = GROUPLENS_URL.format(archive=archive_name)
        try:
            download(url, archive, md5, algorithm='md5', progress=True)
        except FetchError as error:
            raise DatasetUnavailableError(_unavailable_message(
                f'MovieLens {variant}', [f"GroupLens archive {url}: {error}"],
                f"download {url} and place it at {archive}")) from error
    return archive


def _large_variant_ratings(variant, data_home):
    """The raw (user, item, rating, timestamp) columns, parsed once and cached as .npz."""
    member, separator, header_lines = LARGE_VARIANTS[variant][2:]
    directory = cache_dir(data_home)
    parsed = directory / f'ml-{variant.lower()}.npz'
    with cache_lock(directory):
        if not parsed.exists():  # written atomically, only ever from a verified archive
            with zipfile.ZipFile(_large_variant_archive(variant, directory)) as zipped:
                columns = _parse_ratings(zipped.read(member), separator, header_lines)
            with atomic_output(parsed) as handle:
                np.savez(handle, *columns)
        with np.load(parsed) as stored:
            return tuple(stored[f'arr_{i}'] for i in range(4))


def _large_variant_member(variant, data_home, member):
    """One file of the verified archive, as text."""
    directory = cache_dir(data_home)
    with cache_lock(directory):
        with zipfile.ZipFile(_large_variant_archive(variant, directory)) as zipped:
            content = zipped.read(member)
    try:
        return content.decode('utf-8')
    except UnicodeDecodeError:  # ML-1M's files are latin-1
        return content.decode('latin-1')


def _rated(keys, mapping):
    """Positions of ``keys`` present in ``mapping``, and their ids."""
    keys = np.asarray(keys, dtype=np.int64)
    known = np.isin(keys, mapping.keys)
    return np.flatnonzero(known), mapping.to_ids(keys[known])


def _large_variant_items(variant, data_home):
    text = _large_variant_member(variant, data_home, LARGE_VARIANT_FEATURES[variant][0])
    if variant == '20M':
        import csv
        rows = list(csv.reader(io.StringIO(text)))[1:]
    else:
        rows = [[line.split('::', 1)[0], *line.split('::', 1)[1].rsplit('::', 1)]
                for line in text.splitlines()]
    keep, ids = _rated([row[0] for row in rows],
                       IdMapping(_large_variant_ratings(variant, data_home)[1]))
    rows = [rows[k] for k in keep]
    genre_names = sorted({genre for row in rows for genre in row[2].split('|')} - {NO_GENRES})
    flags = [[genre in row[2].split('|') for genre in genre_names] for row in rows]
    return _item_features(ids, [row[1] for row in rows], flags, genre_names)


def _large_variant_users(variant, data_home):
    """ML-1M's users.dat: 'id::gender::age::occupation code::zip'."""
    text = _large_variant_member(variant, data_home, LARGE_VARIANT_FEATURES[variant][1])
    rows = [line.split('::') for line in text.splitlines()]
    keep, ids = _rated([row[0] for row in rows],
                       IdMapping(_large_variant_ratings(variant, data_home)[0]))
    return _user_features([(rows[k][0], rows[k][2], rows[k][1], ML1M_OCCUPATIONS[int(rows[k][3])],
                            rows[k][4]) for k in keep], ids=ids)


def get_movielens_100k_ratings_file(data_home=None):
    """
    The path of MovieLens 100K's ``u.data`` (tab-separated user id, item id, rating,
    timestamp), fetched and verified on first use, as ``get_movielens_dataset`` does: for
    tools that hand the raw file to another program.

    Parameters
    ----------
    data_home: path, optional
        The cache folder (default: ``SPOTLIGHT_COMPAT_DATA`` or the user's cache).

    Returns
    -------
    pathlib.Path
    """
    return _ml100k_directory(data_home) / 'u.data'
