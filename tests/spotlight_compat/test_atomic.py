"""
spotlight_compat.atomic: atomic writes leave the old file or the new one, never half of
either, and no stray files; against our own expectations.
"""

import os

import pytest

from spotlight_compat.atomic import atomic_output, atomic_write_bytes
from tests.helpers import stray_files


def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / 'file.bin'
    target.write_bytes(b'old')
    atomic_write_bytes(target, b'new')
    assert target.read_bytes() == b'new' and stray_files(tmp_path) == []


def test_atomic_write_creates_file_with_umask_permissions(tmp_path):
    target = tmp_path / 'fresh.txt'
    atomic_write_bytes(target, b'x')
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / 'file.bin'
    target.write_bytes(b'old')
    with pytest.raises(OSError):
        with atomic_output(target) as handle:
            handle.write(b'new, half')
            raise OSError(28, 'No space left on device')
    assert target.read_bytes() == b'old' and stray_files(tmp_path) == []
