"""
The HDF5 datasets spotlight publishes (Goodbooks-10K, Amazon co-purchasing),
fetched through the cache of ``cache.py``: a per-dataset lock, a ``pooch``
download to a temporary file renamed into place when complete, with retries.

spotlight's own loader checks no checksum and neither source publishes one.
So the first download is trusted: its sha256 is written beside it
(``<file>.sha256``) and every later read verifies the file against that record,
re-fetching a damaged one. Set a module's ``SHA256`` constant to pin a known
digest instead.
"""

from .cache import (DatasetUnavailableError, FetchError, cache_dir, cache_lock, download,
                    verified_file)
from .. import atomic


def _log(message):
    print(message)


def fetch(url, subdirectory, filename, sha256=None, data_home=None):
    """
    The path of the cached, verified ``filename``, downloaded from ``url`` if needed.

    Parameters
    ----------
    url: str
    subdirectory: str
        Folder of the cache holding the file.
    filename: str
    sha256: str, optional
        Known digest; ``None`` trusts the first download and records its digest.
    data_home: str or Path, optional
        See ``cache.cache_dir``.

    Returns
    -------
    Path

    Raises
    ------
    DatasetUnavailableError
        When the file is not cached and cannot be downloaded; the message names
        the URL and where to place the file by hand.
    """
    directory = cache_dir(data_home) / subdirectory
    with cache_lock(directory):
        path = directory / filename
        record = directory / f'{filename}.sha256'
        expected = sha256 or (record.read_text().strip() if record.exists() else None)
        if expected is not None and verified_file(path, expected, warn=_log):
            return path
        if expected is None and path.exists():  # placed by hand: trusted, then recorded
            atomic.atomic_write_bytes(record, _file_sha256(path).encode())
            return path
        try:
            _download(url, path, expected)
        except FetchError as error:
            raise DatasetUnavailableError(
                f"Could not obtain {filename} from {url}: {error}\nTo install it by hand, "
                f"download it and place it at {path}, then run again.") from error
        if sha256 is None and not record.exists():
            atomic.atomic_write_bytes(record, _file_sha256(path).encode())
        return path


def _download(url, path, expected):
    if expected is not None:
        download(url, path, expected, progress=True)
        return
    import pooch
    import requests

    from . import cache
    downloader = pooch.HTTPDownloader(progressbar=True, timeout=cache.DOWNLOAD_TIMEOUT_SECONDS)
    fetcher = pooch.create(path=path.parent, base_url='', retry_if_failed=cache.DOWNLOAD_RETRIES,
                           registry={path.name: None}, urls={path.name: url})
    try:
        fetcher.fetch(path.name, downloader=downloader)
    except (requests.exceptions.RequestException, OSError, ValueError) as error:
        raise FetchError(f"{type(error).__name__}: {error}") from error


def _file_sha256(path):
    import hashlib
    hasher = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b''):
            hasher.update(chunk)
    return hasher.hexdigest()


def read_hdf5(path, names):
    """
    The datasets ``names`` of the HDF5 file at ``path``, as numpy arrays.

    Parameters
    ----------
    path: str or Path
    names: iterable of str
        Dataset names inside the file, e.g. ``'/user_id'``.

    Returns
    -------
    list of np.ndarray
        In the order of ``names``.

    Raises
    ------
    ImportError
        When ``h5py`` (which spotlight needs too) is not installed.
    """
    try:
        import h5py
    except ImportError as error:
        raise ImportError('Reading this dataset needs h5py (pip install h5py), as spotlight '
                          'does.') from error
    with h5py.File(path, 'r') as data:
        return [data[name][:] for name in names]
