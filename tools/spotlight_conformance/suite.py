"""
Run spotlight's own test suite against spotlight_compat (and, with --original,
against spotlight itself) and write results/spotlight_conformance.md, file by file.

Nothing of spotlight is part of this project: its ``tests/``, README and examples
are read at run time from a checkout given on the command line (for example
``git --git-dir=<mirror> archive HEAD | tar -x -C SPOTLIGHT_SRC``).

How the tests see ``spotlight_compat``: the tests are copied into a temporary
directory next to a generated ``conftest.py`` that installs an import alias (a
``sys.meta_path`` finder mapping ``spotlight`` and ``spotlight.X`` to
``spotlight_compat`` and ``spotlight_compat.X``), so the test files run unchanged.
For the original, the checkout comes first on ``PYTHONPATH`` instead and the generated
``conftest.py`` points spotlight's download directory at a temporary one
holding MovieLens 100K written in spotlight's HDF5 layout from the cached
``u.data`` (spotlight's loader downloads from GitHub, which may be unreachable);
that needs ``h5py`` in the original's interpreter.

Each test file runs in its own pytest process (``--python`` chooses the
interpreter, so the original can run from a separate virtual environment).
spotlight's readme.rst code blocks and example scripts then run end to end with each
library (``tools/spotlight_conformance/examples.py``, which says what it changes in them:
the import, MovieLens 100K for downloads that cannot happen offline, smaller search
budgets); ``--examples-only`` runs just those and replaces their section of an
existing report.

Usage::

    python -m tools.spotlight_conformance.suite SPOTLIGHT_SRC \\
        [--original --original-python ORIGINAL_PYTHON] \\
        [--example-path DIR] [--examples-only] [--output PATH]

SPOTLIGHT_SRC is the spotlight checkout and ORIGINAL_PYTHON the original's interpreter; the
report names them so, not by this machine's paths.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np

from benchmarks.machine import load_averages, recorded_command
from recsys_models.results import format_mean_std

from .examples import run_examples
from .harness import (ALIAS, DEFAULT_OUTPUT, ORIGINAL, movielens_u_data, subprocess_environment,
                      write_atomically)

def parse_arguments():
    """The command line's arguments; exits with an error on options that do not go together or a
    checkout without ``tests/``."""
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
    parser.add_argument('--statistics', type=int, nargs='*', metavar='SEED',
                        help='also run the statistical settings with these seeds, with both '
                             'libraries (needs --original)')
    parser.add_argument('--statistics-only', action='store_true',
                        help='run only the statistical settings and replace that section of '
                             'an existing report')
    parser.add_argument('--example-path', type=Path,
                        help='a directory with seaborn and tabulate (used by spotlight\'s '
                             'examples), added to their PYTHONPATH')
    parser.add_argument('--examples-only', action='store_true',
                        help='run only the README blocks and examples and replace that '
                             'section of an existing report')
    parser.add_argument('--example-timeout', type=int, default=240,
                        help='seconds per README block or example run')
    arguments = parser.parse_args()
    if arguments.statistics_only and not arguments.statistics:
        parser.error('--statistics-only needs --statistics SEED [SEED ...].')
    if arguments.statistics and not arguments.original:
        parser.error('--statistics compares with the original: add --original.')
    if not (arguments.checkout / 'tests').is_dir():
        parser.error(f'{arguments.checkout} has no tests/ directory: give a spotlight checkout.')
    return arguments


def prepare_suite(checkout, mode, u_data):
    """A temporary copy of the checkout's tests with the conftest of ``mode``."""
    directory = Path(tempfile.mkdtemp(prefix=f'spotlight-tests-{mode}-'))
    shutil.copytree(checkout / 'tests', directory / 'tests')
    setup = ALIAS if mode == 'compat' else ORIGINAL.format(checkout=str(checkout.resolve()),
                                                           u_data=u_data)
    (directory / 'conftest.py').write_text(setup)
    return directory


def test_files(checkout, only=None):
    """The checkout's ``tests/**/test_*.py`` files relative to ``tests/``, sorted; only those in
    ``only`` when given."""
    files = sorted(str(path.relative_to(checkout / 'tests'))
                   for path in (checkout / 'tests').rglob('test_*.py'))
    return [name for name in files if not only or name in only]


def run_file(python, suite, name, timeout, environment):
    """Counts of one test file's outcomes, from pytest's JUnit XML, and its wall time; run with
    ``environment`` (``subprocess_environment``)."""
    report = suite / f'{name.replace("/", "_")}.xml'
    command = [python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--rootdir', str(suite),
               f'--junitxml={report}', str(suite / 'tests' / name)]
    start = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=suite, capture_output=True, text=True,
                                timeout=timeout, env=environment)
        output = result.stdout + result.stderr
    except subprocess.TimeoutExpired:
        return {'error': f'timed out after {timeout} s'}, timeout
    seconds = time.perf_counter() - start
    if not report.exists():
        last_line = output.strip().splitlines()[-1] if output.strip() else 'no output'
        return {'error': last_line}, seconds
    return junit_counts(report, output), seconds


def junit_counts(report, output):
    """Counts of a pytest JUnit XML ``report``: tests, failures, errors, skipped, passed, the names
    of the failed cases and the first lines of their messages (``reasons``); ``output`` is not read."""
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
    message = re.sub(r'(\x1b|#x1B)\[[0-9;]*m', '', message)  # terminal colours
    return (message.strip().splitlines() or [''])[0][:160]


def describe(counts):
    """``run_file``'s counts as text: ('passed / failed / skipped', failed cases, reasons), or
    ('did not run: ERROR', '', '')."""
    if 'error' in counts:
        return f'did not run: {counts["error"]}', '', ''
    failed = ', '.join(counts['failed'])
    return (f'{counts["passed"]} / {counts["failures"] + counts["errors"]} / {counts["skipped"]}',
            failed, '; '.join(counts['reasons']))


def write_report(path, checkout, files, results, python, original_python, load):
    """Write the test-suite part of the report to ``path``: one row per test file with each
    library's counts and seconds, the totals and the failures."""
    modes = list(results)
    interpreters = ('`' + recorded_command([python], {python: 'PYTHON'}) + '` (compat), `'
                    + recorded_command([original_python], {original_python: 'ORIGINAL_PYTHON'})
                    + '` (original)')
    lines = ['# spotlight\'s own test suite against spotlight_compat', '',
             'Written by `'
             + recorded_command(['python', '-m', 'tools.spotlight_conformance.suite', checkout,
                                 *(['--original'] if 'original' in results else [])],
                                {checkout: 'SPOTLIGHT_SRC'})
             + '`: each test file of the '
             'spotlight checkout runs unchanged in its own pytest process, against '
             '`spotlight_compat` through an import alias'
             + (' and against the original spotlight 0.1.6' if 'original' in results else '')
             + f'. Interpreters: {interpreters}. '
             f'Load average at the start: {load}; OMP_NUM_THREADS='
             f'{os.environ.get("OMP_NUM_THREADS", "unset")}.', '',
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
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, '\n'.join(lines) + '\n')


# The statistical tests of spotlight's suite assert thresholds on an MRR. These runs
# repeat the setting of four of them (the same data, model and hyperparameters) over
# seeds, with each library, to compare the distributions: (name, threshold in
# spotlight's test, keyword arguments of the model).
STATISTICAL = {
    'implicit factorization, BPR, MovieLens 100K (test_implicit.py::test_bpr)':
        ('factorization', 0.07, dict(loss='bpr', n_iter=10, batch_size=1024,
                                     learning_rate=1e-2, l2=1e-6)),
    'sequence, pooling, BPR, synthetic (test_sequence_implicit.py::'
    'test_implicit_pooling_synthetic[0.001-0.18])':
        ('sequence', 0.18, dict(loss='bpr', batch_size=128, embedding_dim=32,
                                learning_rate=1e-1, l2=1e-9, n_iter=5)),
    'sequence, LSTM, BPR, synthetic (test_sequence_implicit.py::'
    'test_implicit_lstm_synthetic[0.001-0.61])':
        ('sequence', 0.61, dict(loss='bpr', representation='lstm', batch_size=128,
                                embedding_dim=32, learning_rate=1e-2, l2=1e-7, n_iter=25)),
    'sequence, mixture, BPR, synthetic (test_sequence_implicit.py::'
    'test_implicit_lstm_mixture_synthetic[0.001-0.3])':
        ('sequence', 0.3, dict(loss='bpr', representation='mixture', batch_size=128,
                               embedding_dim=32, learning_rate=1e-2, l2=1e-7, n_iter=50)),
}

STATISTICS_WORKER = '''
import json, sys
import numpy as np
kind, kwargs, seed, u_data = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
from spotlight.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight.evaluation import mrr_score, sequence_mrr_score
from spotlight.interactions import Interactions
state = np.random.RandomState(seed)
if kind == 'factorization':
    from spotlight.factorization.implicit import ImplicitFactorizationModel
    rows = np.loadtxt(u_data, dtype=np.int64)
    data = Interactions(rows[:, 0].astype(np.int32), rows[:, 1].astype(np.int32),
                        ratings=rows[:, 2].astype(np.float32),
                        timestamps=rows[:, 3].astype(np.int32))
    train, test = random_train_test_split(data, random_state=state)
    model = ImplicitFactorizationModel(random_state=state, **kwargs)
    model.fit(train)
    print(mrr_score(model, test, train=train).mean())
else:
    from spotlight.datasets.synthetic import generate_sequential
    from spotlight.sequence.implicit import ImplicitSequenceModel
    data = generate_sequential(num_users=100, num_items=100, num_interactions=10000,
                               concentration_parameter=1e-3, order=2, random_state=state)
    train, test = user_based_train_test_split(data, random_state=state)
    train = train.to_sequence(max_sequence_length=10)
    test = test.to_sequence(max_sequence_length=10)
    model = ImplicitSequenceModel(random_state=state, **kwargs)
    model.fit(train)
    print(sequence_mrr_score(model, test).mean())
'''


def statistical_mrrs(python, mode, checkout, u_data, seeds, timeout):
    """MRR of every statistical setting and seed, each run in a fresh process."""
    prefix = ALIAS if mode == 'compat' else ''
    with tempfile.TemporaryDirectory() as workdir:
        script = Path(workdir) / 'mrr_over_seeds.py'
        script.write_text(prefix + STATISTICS_WORKER)
        mrrs = {}
        for name, (kind, _, kwargs) in STATISTICAL.items():
            mrrs[name] = []
            for seed in seeds:
                result = subprocess.run([python, str(script), kind, json.dumps(kwargs), str(seed),
                                         u_data], capture_output=True, text=True, timeout=timeout,
                                        env=subprocess_environment(mode, checkout))
                if result.returncode != 0:
                    raise RuntimeError(f'{mode} {name} seed {seed}: {result.stderr[-2000:]}')
                mrrs[name].append(float(result.stdout.strip().splitlines()[-1]))
                print(mode, name, seed, mrrs[name][-1], flush=True)
    return mrrs


def statistics_lines(statistics, seeds):
    """The markdown lines of the "Statistical tests over seeds" section, from
    {mode: ``statistical_mrrs``'s MRRs} over ``seeds``."""
    lines = ['', '## Statistical tests over seeds', '',
             'These tests of spotlight\'s suite are statistical: they assert that an MRR exceeds '
             'a threshold. The same settings, run with seeds ' + ', '.join(map(str, seeds))
             + ' (data, split and model seeded with `np.random.RandomState(seed)`), each in a '
             'fresh process:', '',
             '| setting | threshold | original: mean ± sample std (min-max) | compat: mean ± sample std '
             '(min-max) | largest difference, same seed | seeds above the threshold '
             '(original / compat) |', '|---|---|---|---|---|---|']
    for name, (_, threshold, _) in STATISTICAL.items():
        cells = []
        for mode in ('original', 'compat'):
            values = statistics[mode][name]
            cells.append(f'{format_mean_std(values)} ({min(values):.4f}-{max(values):.4f})')
        gap = np.abs(np.subtract(statistics['original'][name], statistics['compat'][name])).max()
        above = [sum(value > threshold for value in statistics[mode][name])
                 for mode in ('original', 'compat')]
        lines.append(f'| {name} | {threshold} | ' + ' | '.join(cells)
                     + f' | {gap:.1e} | {above[0]} / {above[1]} of {len(seeds)} |')
    return lines + ['', STATISTICS_NOTE]


STATISTICS_NOTE = (
    'The settings and thresholds are spotlight\'s; its tests seed their data with 42, so each '
    'threshold comes from one run, not from a distribution, and other seeds may fall below it '
    'with either library. The two libraries draw the same initial weights, shuffles and '
    'negatives from a seed, so the same seed gives the same MRR up to float rounding; the '
    'mixture network\'s 50 epochs amplify rounding differences (its projection is a `Linear` '
    'here, a 1x1 `Conv1d` in spotlight), so its values agree in distribution rather than seed '
    'by seed.')


def replace_statistics(arguments, modes, u_data):
    """Run the statistical settings and put their table in place of the report's old one."""
    statistics = {mode: statistical_mrrs(python, mode, arguments.checkout.resolve(), u_data,
                                         arguments.statistics, arguments.timeout)
                  for mode, python in modes.items()}
    text = arguments.output.read_text() if arguments.output.exists() else ''
    text = text.split('\n## Statistical tests over seeds')[0].rstrip('\n') + '\n'
    write_atomically(arguments.output,
                     text + '\n'.join(statistics_lines(statistics, arguments.statistics)) + '\n')
    print(f'Wrote {arguments.output}')


def examples_command(arguments):
    """The command recorded in the examples' section, the checkout named SPOTLIGHT_SRC."""
    return recorded_command(
        ['python', '-m', 'tools.spotlight_conformance.suite', arguments.checkout,
         *(['--original'] if arguments.original else []),
         *(['--example-path', arguments.example_path] if arguments.example_path else []),
         *(['--examples-only'] if arguments.examples_only else [])],
        {arguments.checkout: 'SPOTLIGHT_SRC'})


def main():
    """Command line: run the test suite (or only the statistics, or only the examples) with each
    library and write the report."""
    arguments = parse_arguments()
    load = load_averages()
    u_data = movielens_u_data()
    files = test_files(arguments.checkout, arguments.files)
    modes = {'compat': arguments.python}
    if arguments.original:
        modes['original'] = arguments.original_python
    if arguments.statistics_only:
        replace_statistics(arguments, modes, u_data)
        return
    if arguments.examples_only:
        run_examples(arguments.checkout, modes, arguments.output, examples_command(arguments),
                     arguments.example_path, arguments.example_timeout)
        print(f'Wrote {arguments.output}')
        return
    results = {}
    for mode, python in modes.items():
        suite = prepare_suite(arguments.checkout, mode, u_data)
        results[mode] = {}
        for name in files:
            results[mode][name] = run_file(python, suite, name, arguments.timeout,
                                           subprocess_environment(mode, arguments.checkout.resolve()))
            print(mode, name, describe(results[mode][name][0])[0], flush=True)
        shutil.rmtree(suite, ignore_errors=True)
    statistics = {}
    if arguments.statistics:
        statistics = {mode: statistical_mrrs(python, mode, arguments.checkout.resolve(), u_data,
                                             arguments.statistics, arguments.timeout)
                      for mode, python in modes.items()}
    write_report(arguments.output, arguments.checkout, files, results,
                 arguments.python, arguments.original_python, load)
    run_examples(arguments.checkout, modes, arguments.output, examples_command(arguments),
                 arguments.example_path, arguments.example_timeout)
    if statistics:
        write_atomically(arguments.output, arguments.output.read_text()
                         + '\n'.join(statistics_lines(statistics, arguments.statistics)) + '\n')
    print(f'Wrote {arguments.output}')


if __name__ == '__main__':
    main()
