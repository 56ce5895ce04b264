"""
Atomic file writes: a file's new content appears in one rename, never half-written.

Every cache file, result file and rewritten notebook of this project goes through here.
"""

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path, data):
    """
    Write ``data`` to ``path`` through a temporary file and a rename.

    Parameters
    ----------
    path: str or Path
        The file to replace (or create); its folder must exist.
    data: bytes
    """
    with atomic_output(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_output(path):
    """
    Yield a binary file handle whose content replaces ``path`` only when the
    ``with`` block completes; on any error the temporary file is removed.

    Parameters
    ----------
    path: str or Path
        The file to replace (or create); its folder must exist. The temporary
        file (``.<name>.*.part``) is made next to it, so the rename is atomic.

    Yields
    ------
    file object
        Opened for binary writing; the new file gets the permissions the umask
        gives.

    Examples
    --------
    >>> with atomic_output('/tmp/example.bin') as handle:      # doctest: +SKIP
    ...     handle.write(b'all or nothing')
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


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
