"""
Run spotlight's own test suite against spotlight_compat (and, with --original,
against spotlight itself) and write results/spotlight_conformance.md, file by file.

Nothing of spotlight is part of this project: its ``tests/``, README and examples
are read at run time from a checkout given on the command line (for example
``git --git-dir=<mirror> archive HEAD | tar -x -C /tmp/spotlight``).

How the tests see ``spotlight_compat``: the tests are copied into a temporary
directory next to a generated ``conftest.py`` that installs an import alias (a
``sys.meta_path`` finder mapping ``spotlight`` and ``spotlight.X`` to
``spotlight_compat`` and ``spotlight_compat.X``), so the test files run unchanged.
For the original, the generated ``conftest.py`` puts the checkout first on
``sys.path`` instead and points spotlight's download directory at a temporary one
holding MovieLens 100K written in spotlight's HDF5 layout from the cached
``u.data`` (spotlight's loader downloads from GitHub, which may be unreachable);
that needs ``h5py`` in the original's interpreter.

Each test file runs in its own pytest process (``--python`` chooses the
interpreter, so the original can run from a separate virtual environment).
spotlight's readme.rst code blocks run the same way, through the alias; its example
scripts are long experiments, so for them only their imports from spotlight run.

Usage::

    python benchmarks/spotlight_conformance.py /tmp/spotlight \\
        [--original --original-python /tmp/venv-spotlight/bin/python] [--output PATH]
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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

sys.path.insert(0, {checkout!r})
import spotlight  # noqa: E402
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


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('checkout', type=Path, help='a spotlight source checkout (with tests/)')
    parser.add_argument('--original', action='store_true',
                        help='also run the suite against the original spotlight')
    parser.add_argument('--python', default=sys.executable,
                        help='interpreter with spotlight_compat and pytest (default: this one)')
    parser.add_argument('--original-python', default=sys.executable,
                        help='interpreter with torch, numpy, scipy, scikit-learn, h5py and '
                             'pytest for the original')
    parser.add_argument('--output', type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument('--timeout', type=int, default=3600, help='seconds per test file')
    parser.add_argument('--files', nargs='*', help='only these test files (paths under tests/)')
    arguments = parser.parse_args()
    if not (arguments.checkout / 'tests').is_dir():
        parser.error(f'{arguments.checkout} has no tests/ directory: give a spotlight checkout.')
    return arguments


def movielens_u_data():
    """The cached MovieLens 100K ratings (fetched by spotlight_compat if needed)."""
    from spotlight_compat.datasets import movielens
    movielens.get_movielens_dataset('100K')
    return str(movielens._ml100k_directory(None) / 'u.data')


def prepare_suite(checkout, mode, u_data):
    """A temporary copy of the checkout's tests with the conftest of ``mode``."""
    directory = Path(tempfile.mkdtemp(prefix=f'spotlight-tests-{mode}-'))
    shutil.copytree(checkout / 'tests', directory / 'tests')
    setup = ALIAS if mode == 'compat' else ORIGINAL.format(checkout=str(checkout.resolve()),
                                                           u_data=u_data)
    (directory / 'conftest.py').write_text(setup)
    return directory


def test_files(checkout, only=None):
    files = sorted(str(path.relative_to(checkout / 'tests'))
                   for path in (checkout / 'tests').rglob('test_*.py'))
    return [name for name in files if not only or name in only]


def run_file(python, suite, name, timeout):
    """Counts of one test file's outcomes, from pytest's JUnit XML, and its wall time."""
    report = suite / f'{name.replace("/", "_")}.xml'
    command = [python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--rootdir', str(suite),
               f'--junitxml={report}', str(suite / 'tests' / name)]
    environment = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
    start = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=suite, capture_output=True, text=True,
                                timeout=timeout, env=environment)
        output = result.stdout + result.stderr
    except subprocess.TimeoutExpired:
        return {'error': f'timed out after {timeout} s'}, timeout
    seconds = time.perf_counter() - start
    if not report.exists():
        return {'error': output.strip().splitlines()[-1] if output.strip() else 'no output'}, seconds
    return junit_counts(report, output), seconds


def junit_counts(report, output):
    suite = ElementTree.parse(report).getroot()
    suite = suite if suite.tag == 'testsuite' else suite.find('testsuite')
    counts = {key: int(suite.get(key, 0)) for key in ('tests', 'failures', 'errors', 'skipped')}
    counts['passed'] = counts['tests'] - counts['failures'] - counts['errors'] - counts['skipped']
    counts['failed'] = [case.get('name') for case in suite.iter('testcase')
                        if case.find('failure') is not None or case.find('error') is not None]
    counts['reasons'] = sorted({_first_line(element.get('message', ''))
                                for case in suite.iter('testcase')
                                for element in (case.find('failure'), case.find('error'))
                                if element is not None})
    return counts


def _first_line(message):
    return (message.strip().splitlines() or [''])[0][:160]


def readme_blocks(checkout):
    """The ``.. code-block:: python`` blocks of the checkout's readme.rst, dedented."""
    import textwrap
    text = (checkout / 'readme.rst').read_text()
    blocks = re.findall(r'\.\. code-block:: python\n\n((?:    .*\n|\n)+)', text)
    return [textwrap.dedent(block) for block in blocks]


def example_imports(checkout):
    """Each example script under examples/ and the source of its import statements."""
    scripts = {}
    for path in sorted((checkout / 'examples').rglob('*.py')):
        tree = ast.parse(path.read_text())
        imports = [ast.get_source_segment(path.read_text(), node) for node in tree.body
                   if isinstance(node, (ast.Import, ast.ImportFrom)) and _imports_spotlight(node)]
        scripts[str(path.relative_to(checkout))] = '\n'.join(
            [f'import sys\nsys.path.insert(0, {str(path.parent.resolve())!r})', *imports])
    return scripts


def _imports_spotlight(node):
    names = [node.module or ''] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    return any(name.split('.')[0] == 'spotlight' for name in names)


def run_snippet(python, code, name, workdir, timeout):
    """Run ``code`` with the alias installed; 'ok' or the last line of the error."""
    path = Path(workdir) / f'{re.sub(r"[^A-Za-z0-9]+", "_", name)}.py'
    path.write_text(ALIAS + '\n' + code)
    try:
        result = subprocess.run([python, str(path)], cwd=workdir, capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return f'timed out after {timeout} s'
    if result.returncode == 0:
        return 'ok'
    return _first_line((result.stderr.strip().splitlines() or ['?'])[-1])


def describe(counts):
    if 'error' in counts:
        return f'did not run: {counts["error"]}', '', ''
    failed = ', '.join(counts['failed'])
    return (f'{counts["passed"]} / {counts["failures"] + counts["errors"]} / {counts["skipped"]}',
            failed, '; '.join(counts['reasons']))


def write_report(path, checkout, files, results, snippets, python, original_python, load):
    modes = list(results)
    lines = ['# spotlight\'s own test suite against spotlight_compat', '',
             f'Written by `python benchmarks/spotlight_conformance.py {checkout}'
             + (' --original' if 'original' in results else '') + '`: each test file of the '
             'spotlight checkout runs unchanged in its own pytest process, against '
             '`spotlight_compat` through an import alias'
             + (' and against the original spotlight 0.1.6' if 'original' in results else '')
             + f'. Interpreters: `{python}` (compat), `{original_python}` (original). '
             f'Load average at the start: {load}.', '',
             'Cells are passed / failed / skipped test cases.', '',
             '| test file | ' + ' | '.join(modes) + ' |',
             '|---|' + '---|' * len(modes)]
    totals = {mode: [0, 0, 0] for mode in modes}
    for name in files:
        cells = []
        for mode in modes:
            counts, seconds = results[mode][name]
            cells.append(f'{describe(counts)[0]} ({seconds:.0f} s)')
            if 'error' not in counts:
                totals[mode][0] += counts['passed']
                totals[mode][1] += counts['failures'] + counts['errors']
                totals[mode][2] += counts['skipped']
        lines.append(f'| `tests/{name}` | ' + ' | '.join(cells) + ' |')
    lines.append('| **total** | ' + ' | '.join(' / '.join(map(str, totals[mode]))
                                             for mode in modes) + ' |')
    lines += ['', '## Failures', '']
    for mode in modes:
        for name in files:
            counts, _ = results[mode][name]
            _, failed, reasons = describe(counts)
            if failed or 'error' in counts:
                lines.append(f'- {mode}, `tests/{name}`: {failed or counts.get("error")}'
                             + (f' ({reasons})' if reasons else ''))
    lines += ['', '## README blocks and examples through the alias', '',
              '| code | result |', '|---|---|']
    lines += [f'| {name} | {result} |' for name, result in snippets.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(lines) + '\n')


def main():
    arguments = parse_arguments()
    load = ', '.join(f'{value:.2f}' for value in os.getloadavg())
    u_data = movielens_u_data()
    files = test_files(arguments.checkout, arguments.files)
    modes = {'compat': arguments.python}
    if arguments.original:
        modes['original'] = arguments.original_python
    results = {}
    for mode, python in modes.items():
        suite = prepare_suite(arguments.checkout, mode, u_data)
        results[mode] = {}
        for name in files:
            results[mode][name] = run_file(python, suite, name, arguments.timeout)
            print(mode, name, describe(results[mode][name][0])[0], flush=True)
        shutil.rmtree(suite, ignore_errors=True)
    snippets = {}
    with tempfile.TemporaryDirectory() as workdir:
        for number, block in enumerate(readme_blocks(arguments.checkout), 1):
            snippets[f'README block {number}'] = run_snippet(arguments.python, block,
                                                             f'readme{number}', workdir,
                                                             arguments.timeout)
        for script, imports in example_imports(arguments.checkout).items():
            snippets[f'`{script}` (its spotlight imports)'] = run_snippet(arguments.python, imports, script,
                                                            workdir, 600)
    print(snippets)
    write_report(arguments.output, arguments.checkout, files, results, snippets,
                 arguments.python, arguments.original_python, load)
    print(f'Wrote {arguments.output}')


if __name__ == '__main__':
    main()
