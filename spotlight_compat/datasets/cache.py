"""
The on-disk cache for downloaded datasets: where it lives, a cross-process lock
(``filelock``) and hash-checked downloads with retries (``pooch``); files are written
through ``spotlight_compat.atomic``.

Every file enters the cache through a temporary file in the same directory that
is renamed over its final name only when complete (and, for downloads, only when
its checksum matches), so a reader sees the old complete file, the new complete
file, or none: never a partial one.
"""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

CACHE_ENV_VARIABLE = 'SPOTLIGHT_COMPAT_DATA'
DOWNLOAD_TIMEOUT_SECONDS = 10
DOWNLOAD_RETRIES = 2


class FetchError(RuntimeError):
    """One source of a dataset failed; the message says why."""


class DatasetUnavailableError(RuntimeError):
    """Every source of a dataset failed; the message lists each attempt."""


def cache_dir(data_home=None):
    """
    The directory datasets are cached in.

    In order: the ``data_home`` argument, the ``SPOTLIGHT_COMPAT_DATA``
    environment variable, ``$XDG_CACHE_HOME/spotlight_compat``, then
    ``~/.cache/spotlight_compat``.

    Parameters
    ----------
    data_home: str or Path, optional

    Returns
    -------
    Path
        Not created here (``cache_lock`` creates it).
    """
    if data_home is not None:
        return Path(data_home).expanduser()
    if os.environ.get(CACHE_ENV_VARIABLE):
        return Path(os.environ[CACHE_ENV_VARIABLE]).expanduser()
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'spotlight_compat'


@contextlib.contextmanager
def cache_lock(directory):
    """
    Hold the cache lock of ``directory`` (its ``.lock`` file), creating the
    directory if needed, so that processes fetching into the same cache take
    turns: the second one then finds the verified files the first one wrote.

    Every write into ``directory`` happens under this lock, so a temporary file
    found on taking it was left by a process killed mid-write (the kernel
    released its lock); such files are removed.

    Parameters
    ----------
    directory: str or Path

    Yields
    ------
    Path
        ``directory``, writable.

    Raises
    ------
    DatasetUnavailableError
        When files cannot be written in ``directory``; the message says how to
        point the cache elsewhere.
    """
    import filelock

    directory = _writable_dir(directory)
    with filelock.FileLock(directory / '.lock'):
        for stale in (*directory.glob('.*.part'), *directory.glob('tmp????????')):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        yield directory


def _writable_dir(path):
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix='.write-test-'):
            pass
    except OSError as error:
        raise DatasetUnavailableError(
            f"The dataset cache directory {path} is not writable ({error.strerror or error}). "
            f"Point the cache elsewhere with get_movielens_dataset(data_home=...) or the "
            f"{CACHE_ENV_VARIABLE} environment variable."
        ) from error
    return path


def digest(data, algorithm='sha256'):
    """
    Hex digest of ``data``.

    Parameters
    ----------
    data: bytes
    algorithm: str, optional
        A ``hashlib`` algorithm name.

    Returns
    -------
    str
    """
    return hashlib.new(algorithm, data).hexdigest()


def verified_file(path, expected, algorithm='sha256', warn=print):
    """
    Whether ``path`` exists with the expected digest. A file that exists but
    fails the check is reported through ``warn`` and removed. (Plain ``hashlib``,
    so that a cache filled elsewhere is usable offline without ``pooch``.)

    Parameters
    ----------
    path: str or Path
    expected: str
        The hex digest the file must have.
    algorithm: str, optional
        A ``hashlib`` algorithm name.
    warn: callable, optional
        Called with the message about a file that fails the check.

    Returns
    -------
    bool
    """
    path = Path(path)
    if not path.exists():
        return False
    hasher = hashlib.new(algorithm)
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b''):
            hasher.update(chunk)
    actual = hasher.hexdigest()
    if actual == expected:
        return True
    warn(f"Cached file {path} failed its {algorithm} check (got {actual}, expected "
         f"{expected}); fetching it again.")
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return False


def download(url, destination, expected, algorithm='sha256', progress=False):
    """
    Download ``url`` to ``destination`` with ``pooch``: streamed to a temporary
    file, checked against the ``expected`` digest, and only then renamed into
    place; retried ``DOWNLOAD_RETRIES`` times.

    Parameters
    ----------
    url: str
    destination: str or Path
        Its folder must exist.
    expected: str
        The hex digest the download must have.
    algorithm: str, optional
        A ``hashlib`` algorithm name.
    progress: bool, optional
        Show a tqdm progress bar.

    Raises
    ------
    FetchError
        On any failure, leaving nothing behind; the message says what failed.
    """
    import pooch
    import requests

    destination = Path(destination)
    fetcher = pooch.create(path=destination.parent, base_url='', retry_if_failed=DOWNLOAD_RETRIES,
                           registry={destination.name: f'{algorithm}:{expected}'},
                           urls={destination.name: url})
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=DOWNLOAD_TIMEOUT_SECONDS)
    try:
        fetcher.fetch(destination.name, downloader=downloader)
    except requests.exceptions.ChunkedEncodingError as error:
        raise FetchError(f"transfer cut short: {error}") from error
    except (requests.exceptions.RequestException, OSError, ValueError) as error:
        raise FetchError(f"{type(error).__name__}: {error}") from error
