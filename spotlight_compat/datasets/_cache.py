"""
The on-disk cache for downloaded datasets: where it lives, atomic writes,
checksums, downloads and a lock against concurrent fetches.

Every file enters the cache by being written to a temporary file in the same
directory, flushed to disk, and renamed over its final name, so a reader sees
either the old complete file, the new complete file, or none: never a partial one.
"""

import contextlib
import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

CACHE_ENV_VARIABLE = 'SPOTLIGHT_COMPAT_DATA'
CONNECT_TIMEOUT_SECONDS = 10
CHUNK_BYTES = 1 << 20


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
    """
    if data_home is not None:
        return Path(data_home).expanduser()
    if os.environ.get(CACHE_ENV_VARIABLE):
        return Path(os.environ[CACHE_ENV_VARIABLE]).expanduser()
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'spotlight_compat'


def ensure_writable_dir(path):
    """Create ``path`` if needed and check that files can be written there."""
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
    return hashlib.new(algorithm, data).hexdigest()


def file_digest(path, algorithm='sha256'):
    hasher = hashlib.new(algorithm)
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b''):
            hasher.update(chunk)
    return hasher.hexdigest()


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    with atomic_output(path) as handle:
        handle.write(data)


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(path):
    """
    Yield a binary file handle whose content replaces ``path`` only when the
    ``with`` block completes; on any error the temporary file is removed.
    """
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f'.{path.name}.', suffix='.part',
                                         delete=False)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o666 & ~_current_umask())
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
        raise


def verified_file(path, expected, algorithm='sha256', warn=print):
    """
    True when ``path`` exists with the expected digest. A file that exists but
    fails the check is reported through ``warn`` and removed.
    """
    path = Path(path)
    if not path.exists():
        return False
    actual = file_digest(path, algorithm)
    if actual == expected:
        return True
    warn(f"Cached file {path} failed its {algorithm} check (got {actual}, expected "
         f"{expected}); fetching it again.")
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return False


def download(url, destination, expected, algorithm='sha256', timeout=None, progress=True):
    """
    Download ``url`` to ``destination``, verify its digest, and only then move
    it into place. Raises ``FetchError`` on any failure, leaving nothing behind.
    """
    from tqdm.auto import tqdm

    timeout = CONNECT_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get('Content-Length') or 0) or None
            hasher = hashlib.new(algorithm)
            received = 0
            with atomic_output(destination) as handle, \
                    tqdm(total=total, unit='B', unit_scale=True, desc=Path(destination).name,
                         disable=not progress, leave=False) as bar:
                for chunk in iter(lambda: response.read(CHUNK_BYTES), b''):
                    handle.write(chunk)
                    hasher.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
                if total is not None and received != total:
                    raise FetchError(f"transfer cut short: got {received} of {total} bytes")
                if hasher.hexdigest() != expected:
                    raise FetchError(f"{algorithm} mismatch: got {hasher.hexdigest()}, "
                                     f"expected {expected}")
    except FetchError:
        raise
    except (OSError, ValueError) as error:
        raise FetchError(f"{type(error).__name__}: {error}") from error


@contextlib.contextmanager
def cache_lock(directory):
    """
    An exclusive lock on ``directory`` (a ``.lock`` file inside it), so that
    processes fetching into the same cache take turns; the second one then
    finds the verified files the first one wrote.

    Every write into ``directory`` happens under this lock, so a temporary
    ``.part`` file found on taking it was left by a process that was killed
    mid-write (the kernel released its lock); such files are removed.
    """
    import fcntl

    directory = ensure_writable_dir(directory)
    with open(directory / '.lock', 'a+b') as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            for stale in directory.glob('.*.part'):
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()
            yield directory
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
