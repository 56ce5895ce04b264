"""
What the conformance tools share: the code that makes ``import spotlight`` mean
``spotlight_compat`` (``ALIAS``) or the original checkout (``ORIGINAL``, with the checkout
first on ``PYTHONPATH``: ``subprocess_environment``), MovieLens 100K's raw ratings, the
checkout's README blocks, and the atomic write of a report.
"""

import os
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / 'results' / 'spotlight_conformance.md'

ALIAS = '''
import importlib
import importlib.abc
import importlib.util
import sys


class SpotlightAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports of spotlight[.X] return spotlight_compat[.X]."""

    def find_spec(self, name, path=None, target=None):
        if name == 'spotlight' or name.startswith('spotlight.'):
            return importlib.util.spec_from_loader(name, self, is_package=True)
        return None

    def create_module(self, spec):
        return importlib.import_module('spotlight_compat' + spec.name[len('spotlight'):])

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, SpotlightAlias())
'''

ORIGINAL = '''
import os
import sys
import tempfile

import numpy as np

import spotlight  # noqa: E402  (the checkout is first on PYTHONPATH: subprocess_environment)
from spotlight.datasets import _transport  # noqa: E402

assert spotlight.__file__.startswith({checkout!r}), spotlight.__file__


def _movielens_100k_hdf5(data_dir, u_data):
    import h5py
    rows = np.loadtxt(u_data, dtype=np.int64)
    directory = os.path.join(data_dir, 'movielens', 'v0.2.0')
    os.makedirs(directory, exist_ok=True)
    with h5py.File(os.path.join(directory, 'movielens_movielens_100K.hdf5'), 'w') as data:
        data['/user_id'] = rows[:, 0].astype(np.int32)
        data['/item_id'] = rows[:, 1].astype(np.int32)
        data['/rating'] = rows[:, 2].astype(np.float32)
        data['/timestamp'] = rows[:, 3].astype(np.int32)


_transport.DATA_DIR = tempfile.mkdtemp(prefix='spotlight-data-')
_movielens_100k_hdf5(_transport.DATA_DIR, {u_data!r})
'''


def movielens_u_data():
    """The cached MovieLens 100K ratings (fetched by spotlight_compat if needed)."""
    from spotlight_compat.datasets.movielens import get_movielens_100k_ratings_file
    return str(get_movielens_100k_ratings_file())


def subprocess_environment(mode, checkout, **variables):
    """
    The environment of a run in ``mode``: for the original, its ``checkout`` first on
    ``PYTHONPATH`` (so that ``import spotlight`` finds it); ``variables`` added.
    """
    environment = dict(os.environ, PYTHONDONTWRITEBYTECODE='1', **variables)
    if mode == 'original':
        environment['PYTHONPATH'] = os.pathsep.join(filter(None, [str(checkout), environment.get('PYTHONPATH')]))
    return environment


def readme_blocks(checkout):
    """The ``.. code-block:: python`` blocks of the checkout's readme.rst, dedented."""
    text = (checkout / 'readme.rst').read_text()
    blocks = re.findall(r'\.\. code-block:: python\n\n((?:    .*\n|\n)+)', text)
    return [textwrap.dedent(block) for block in blocks]


def write_atomically(path, text):
    """Replace ``path`` with ``text`` in one rename (the report is never half-written)."""
    from spotlight_compat.atomic import atomic_write_bytes
    atomic_write_bytes(path, text.encode('utf-8'))


def prelude(mode, checkout, u_data):
    """The code that makes ``import spotlight`` mean ``mode``'s library in a generated script."""
    if mode == 'compat':
        return ALIAS
    return ORIGINAL.format(checkout=str(checkout.resolve()), u_data=u_data)


