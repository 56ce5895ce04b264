"""
Run spotlight's README code blocks and example scripts end to end, against
spotlight_compat (through the import alias) and, with --original, against the
original spotlight 0.1.6, and write the "README blocks and examples" section of
results/spotlight_conformance.md.

Nothing of spotlight is part of this project: the examples are copied at run time
from the checkout given on the command line into a fresh temporary directory, one per
run. The import is changed without editing them: ``spotlight`` resolves to
``spotlight_compat`` through the same ``sys.meta_path`` alias as the test suite, so
the files keep ``from spotlight...``. For the original, spotlight's
checkout comes first on ``PYTHONPATH`` and its download directory holds MovieLens 100K
written in spotlight's HDF5 layout (see ``harness.ORIGINAL``).

Where an example cannot run as written here, ``EXAMPLES`` lists exact text
replacements, each with its reason; every replacement must match the checkout's text
the stated number of times, or the run stops. There are two kinds:

- *dataset*: MovieLens 1M and the Amazon dataset are downloads that cannot happen
  offline, so those calls load MovieLens 100K instead;
- *budget*: the hyperparameter searches (50 or 100 samples of up to 19 epochs) and
  the embedding sizes of the timing experiment (up to 5 million rows) would take days
  on a 2-core CPU, so the number of samples, the epochs and the sizes are cut.

Each run is one process, with ``--timeout`` seconds (default 240) before it counts as
failed. The scripts' plotting and table printing need ``seaborn`` and ``tabulate``,
which neither library depends on: ``--example-path DIR`` adds a directory holding them
(for example ``pip install --target DIR --no-deps seaborn tabulate``) to PYTHONPATH.

Usage::

    python -m tools.spotlight_conformance.examples SPOTLIGHT_SRC \\
        [--original --original-python ORIGINAL_PYTHON] \\
        [--example-path DIR] [--only NAME ...] [--output PATH]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.machine import load_averages, recorded_command

from .harness import DEFAULT_OUTPUT, movielens_u_data, prelude, readme_blocks, subprocess_environment, write_atomically

MOVIELENS_1M = ("get_movielens_dataset('1M')", "get_movielens_dataset('100K')",
                'dataset', 'MovieLens 1M cannot be downloaded offline: MovieLens 100K instead')

# The bloom_embeddings search's budget, cut the same way for every dataset and model.
BLOOM_BUDGET = [
    ('NUM_SAMPLES = 50', 'NUM_SAMPLES = 2', 1, 'budget',
     'hyperparameter search: 2 samples instead of 50'),
    ('N_ITER = list(range(1, 20))', 'N_ITER = list(range(1, 4))', 1, 'budget',
     'epochs drawn from 1-3 instead of 1-19'),
]

# Each example: the directory copied from the checkout, the script and its arguments,
# the replacements (old text, new text, expected count, kind, reason), and the files it
# must leave behind for the run to count as passed.
EXAMPLES = [
    dict(name='bloom_embeddings/example.py movielens factorization',
         directory='examples/bloom_embeddings', script='example.py',
         args=['movielens', 'factorization'],
         replacements=[
             (*MOVIELENS_1M[:2], 1, *MOVIELENS_1M[2:]),
             *BLOOM_BUDGET,
         ],
         produces=['movielens_factorization_results.txt']),
    dict(name='bloom_embeddings/example.py movielens sequence',
         directory='examples/bloom_embeddings', script='example.py',
         args=['movielens', 'sequence'],
         replacements=[
             (*MOVIELENS_1M[:2], 1, *MOVIELENS_1M[2:]),
             *BLOOM_BUDGET,
         ],
         remove=['movielens_sequence_results.txt'],
         note='the author\'s movielens_sequence_results.txt, shipped in that folder, is '
              'removed first: the script would resume from it and skip its fits',
         produces=['movielens_sequence_results.txt']),
    dict(name='bloom_embeddings/example.py amazon factorization',
         directory='examples/bloom_embeddings', script='example.py',
         args=['amazon', 'factorization'],
         replacements=[
             ('get_amazon_dataset(min_user_interactions=20,\n'
              '                                     min_item_interactions=5)',
              "get_movielens_dataset('100K')", 1, 'dataset',
              'the Amazon dataset cannot be downloaded offline: MovieLens 100K instead '
              '(with the Amazon branch\'s 1% test split)'),
             *BLOOM_BUDGET,
         ],
         produces=['amazon_factorization_results.txt']),
    dict(name='bloom_embeddings/plot.py sequence',
         directory='examples/bloom_embeddings', script='plot.py', args=['sequence'],
         replacements=[], produces=['sequence_plot.png', 'sequence_time.png'],
         note='plots the result files shipped next to it, from the author\'s MovieLens 1M '
              'and Amazon runs; trains nothing'),
    dict(name='bloom_embeddings/plot.py factorization',
         directory='examples/bloom_embeddings', script='plot.py', args=['factorization'],
         replacements=[], produces=['factorization_plot.png', 'factorization_time.png'],
         after=['bloom_embeddings/example.py movielens factorization',
                'bloom_embeddings/example.py amazon factorization'],
         note='plots the result files of the two factorization runs above'),
    dict(name='bloom_embeddings/performance.py',
         directory='examples/bloom_embeddings', script='performance.py', args=[],
         replacements=[
             (*MOVIELENS_1M[:2], 2, *MOVIELENS_1M[2:]),
             ('N_ITER = 2', 'N_ITER = 1', 1, 'budget', '1 epoch per fit instead of 2'),
             ('    embedding_dims = (1e4,\n'
              '                      1e4 * 5,\n'
              '                      1e5,\n'
              '                      1e5 * 5,\n'
              '                      1e6,\n'
              '                      1e6 * 5)',
              '    embedding_dims = (1e4,\n'
              '                      1e5)', 1, 'budget',
              'embedding layers of 10,000 and 100,000 rows instead of 10,000 to 5,000,000'),
         ],
         produces=['performance.pickle', 'speed.png']),
    dict(name='bloom_embeddings/helpers.py',
         directory='examples/bloom_embeddings', script='helpers.py', args=[],
         replacements=[], produces=[],
         extra={'results': 'examples/movielens_sequence/results'},
         note='imports nothing from spotlight; reads results/, which spotlight ships only '
              'under movielens_sequence/, so that folder is copied next to it'),
    *[dict(name=f'movielens_sequence/movielens_sequence.py {representation}',
           directory='examples/movielens_sequence', script='movielens_sequence.py',
           args=[representation],
           replacements=[
               (*MOVIELENS_1M[:2], 1, *MOVIELENS_1M[2:]),
               ('NUM_SAMPLES = 100', 'NUM_SAMPLES = 2', 1, 'budget',
                'hyperparameter search: 2 samples instead of 100'),
               ('N_ITER = list(range(5, 20))', 'N_ITER = list(range(1, 4))', 1, 'budget',
                'epochs drawn from 1-3 instead of 5-19'),
           ],
           produces=[f'{representation}_results.txt'])
      for representation in ('pooling', 'cnn', 'lstm')],
    dict(name='movielens_sequence/helpers.py',
         directory='examples/movielens_sequence', script='helpers.py', args=[],
         replacements=[], produces=[],
         note='imports nothing from spotlight; prints the result files shipped in results/'),
    dict(name='movielens_explicit/movielens_explicit.ipynb',
         directory='examples/movielens_explicit', script='movielens_explicit.ipynb', args=[],
         replacements=[], produces=[],
         note='its code cells, in order, as one script; it already uses MovieLens 100K'),
]

RUNNER = '''
import runpy
import sys

sys.argv = {argv!r}  # the runner sits in the work directory: first on the import path
runpy.run_path({script!r}, run_name='__main__')
'''

# The README blocks print nothing: after a block has run, the harness prints the value
# it computed (``rmse``, ``mrr``), without changing the block.
README_RUNNER = '''
import numpy as np

namespace = {{'__name__': '__main__'}}
exec(compile(open({script!r}).read(), {script!r}, 'exec'), namespace)
for name in ('rmse', 'mrr'):
    if name in namespace:
        print('{{}} = {{:.4f}}'.format(name, float(np.mean(namespace[name]))))
if 'dataset' in namespace:
    print(namespace['dataset'])
'''


def parse_arguments():
    """The command line's arguments; exits with an error when the checkout has no ``examples/``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('checkout', type=Path, help='a spotlight source checkout')
    parser.add_argument('--original', action='store_true',
                        help='also run the examples against the original spotlight')
    parser.add_argument('--python', default=sys.executable,
                        help='interpreter with spotlight_compat (default: this one)')
    parser.add_argument('--original-python', default=sys.executable,
                        help='interpreter with torch, numpy, scipy, scikit-learn, pandas, '
                             'matplotlib and h5py for the original')
    parser.add_argument('--example-path', type=Path,
                        help='a directory with seaborn and tabulate, added to PYTHONPATH')
    parser.add_argument('--only', nargs='*', help='only these examples (names as in EXAMPLES, '
                                                  'or "README block N")')
    parser.add_argument('--timeout', type=int, default=240, help='seconds per run')
    parser.add_argument('--output', type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()
    if not (arguments.checkout / 'examples').is_dir():
        parser.error(f'{arguments.checkout} has no examples/ directory: give a spotlight '
                     'checkout.')
    return arguments


def adapt(source, replacements, name):
    """``source`` with the replacements applied; each must match its expected count."""
    for old, new, count, _, _ in replacements:
        found = source.count(old)
        if found != count:
            raise ValueError(f'{name}: expected {count} of {old!r} in the checkout, '
                             f'found {found}')
        source = source.replace(old, new)
    return source


def notebook_source(path):
    """The code cells of a notebook, in order, as one script."""
    cells = json.loads(path.read_text())['cells']
    return '\n\n'.join(''.join(cell['source']) for cell in cells
                       if cell['cell_type'] == 'code') + '\n'


def notebook_output(path):
    """The last line that the notebook, as shipped, printed."""
    lines = [line for cell in json.loads(path.read_text())['cells']
             if cell['cell_type'] == 'code' for output in cell.get('outputs', [])
             for line in ''.join(output.get('text', [])).splitlines() if line.strip()]
    return lines[-1] if lines else ''


def prepare(example, checkout, workdir, carried):
    """Copy the example's folder into ``workdir``, adapt its script; the script to run."""
    shutil.copytree(checkout / example['directory'], workdir, dirs_exist_ok=True)
    for target, source in example.get('extra', {}).items():
        shutil.copytree(checkout / source, workdir / target, dirs_exist_ok=True)
    for name in example.get('after', []):
        for path in carried.get(name, []):
            shutil.copy(path, workdir / path.name)
    for name in example.get('remove', []):
        (workdir / name).unlink()
    script = workdir / example['script']
    if script.suffix == '.ipynb':
        script = script.with_suffix('.py')
        script.write_text(notebook_source(workdir / example['script']))
    script.write_text(adapt(script.read_text(), example['replacements'], example['name']))
    return script


def run_process(python, runner, workdir, timeout, example_path, mode, checkout):
    """Run ``runner`` in ``workdir``; its exit code, output, first error line and seconds."""
    environment = subprocess_environment(mode, checkout.resolve(), MPLBACKEND='Agg')
    if example_path:
        environment['PYTHONPATH'] = os.pathsep.join(
            filter(None, [str(example_path), environment.get('PYTHONPATH')]))
    start = time.perf_counter()
    try:
        result = subprocess.run([python, str(runner)], cwd=workdir, capture_output=True,
                                text=True, timeout=timeout, env=environment)
    except subprocess.TimeoutExpired as error:
        output = (error.stdout or b'')
        output = output.decode() if isinstance(output, bytes) else output
        return None, output, f'timed out after {timeout} s', time.perf_counter() - start
    seconds = time.perf_counter() - start
    error = None
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ['?']
        error = lines[-1][:200]
    return result.returncode, result.stdout, error, seconds


def run_example(example, mode, python, checkout, u_data, settings, carried, keep):
    """Run one of ``EXAMPLES`` with ``mode``'s library in a fresh directory, keeping its output in
    ``keep`` and adding the files it produced to ``carried``; dict(error, seconds, result), error
    None when it passed."""
    workdir = Path(tempfile.mkdtemp(prefix='spotlight-example-'))
    script = prepare(example, checkout, workdir, carried)
    runner = workdir / '_run_example.py'
    runner.write_text(prelude(mode, checkout, u_data) + RUNNER.format(
        argv=[script.name, *example['args']], script=str(script)))
    code, stdout, error, seconds = run_process(python, runner, workdir, settings.timeout,
                                               settings.example_path, mode, checkout)
    missing = [name for name in example['produces'] if not (workdir / name).exists()]
    if error is None and missing:
        error = 'did not write ' + ', '.join(missing)
    (keep / f'{mode}-{re.sub(r"[^A-Za-z0-9]+", "_", example["name"])}.log').write_text(stdout)
    carried.setdefault(example['name'], [workdir / name for name in example['produces']
                                         if (workdir / name).exists()])
    return dict(error=error, seconds=seconds,
                result=summarise(example, stdout) if error is None else '')


def run_readme_block(number, block, mode, python, checkout, u_data, settings):
    """Run README code block ``number`` (source ``block``) with ``mode``'s library in a fresh directory;
    dict(error, seconds, result: the lines it printed, joined by '; ')."""
    workdir = Path(tempfile.mkdtemp(prefix='spotlight-readme-'))
    script = workdir / f'readme_block_{number}.py'
    script.write_text(block)
    runner = workdir / '_run_block.py'
    runner.write_text(prelude(mode, checkout, u_data) + README_RUNNER.format(script=str(script)))
    _, stdout, error, seconds = run_process(python, runner, workdir, settings.timeout,
                                            settings.example_path, mode, checkout)
    shutil.rmtree(workdir, ignore_errors=True)
    lines = [line for line in stdout.splitlines() if line.strip()]
    return dict(error=error, seconds=seconds, result='; '.join(lines))


def _mrr_lines(stdout):
    return [(float(test), float(validation)) for test, validation in
            re.findall(r'Test MRR ([0-9.e-]+) val MRR ([0-9.e-]+)', stdout)]


def summarise(example, stdout):
    """A short account of what the example printed."""
    script = example['script']
    mrrs = _mrr_lines(stdout)
    if script == 'example.py':
        ratios = re.findall(r"Evaluating \{.*'compression_ratio': ([0-9.]+)", stdout)
        if not mrrs:
            return ''
        baseline = mrrs[:len(mrrs) - len(ratios)]
        parts = ['baseline fits, test MRR: ' + ', '.join(f'{test:.4f}' for test, _ in baseline)]
        if ratios:
            parts.append('bloom at ' + ', '.join(
                f'{ratio}: {test:.4f}' for ratio, (test, _) in zip(ratios, mrrs[len(baseline):])))
        return '; '.join(parts)
    if script == 'movielens_sequence.py':
        return '; '.join(f'test MRR {test:.4f}, val MRR {validation:.4f}'
                         for test, validation in mrrs)
    if script == 'performance.py':
        found = re.findall(r'(Sequence|Factorization) ratio \[([^\]]*)\]', stdout)
        return '; '.join(f'{kind} bloom/plain fit time: '
                         + ', '.join(f'{float(value):.2f}' for value in values.split())
                         for kind, values in found)
    if script == 'plot.py':
        return 'wrote ' + ', '.join(example['produces'])
    if script == 'helpers.py':
        tables = re.findall(r'^\|[-:|]+\|\n\|([^\n]*)', stdout, flags=re.MULTILINE)
        best = [row.split('|')[0].strip() for row in tables]
        return ('3 tables; best validation MRR (cnn, lstm, pooling): ' + ', '.join(best)
                if best else '')
    if script.endswith('.ipynb'):
        lines = [line for line in stdout.splitlines() if line.strip()]
        return lines[-1] if lines else ''
    return ''


def changes(example):
    """What was changed in the example, for the report."""
    parts = ['import']
    parts += [f'{kind}: {reason}' for _, _, _, kind, reason in example['replacements']]
    seen = []
    return '; '.join(part for part in parts if not (part in seen or seen.append(part)))


def cell(outcome):
    """A table cell for one run's outcome: 'not run', 'ok (N s)' or '**failed**: ERROR (N s)'."""
    if outcome is None:
        return 'not run'
    status = 'ok' if outcome['error'] is None else f'**failed**: {outcome["error"]}'
    return f'{status} ({outcome["seconds"]:.0f} s)'


def section(results, modes, command, example_path, load, notebook_printed):
    """The markdown lines of the report's "README blocks and examples" section: how the runs were
    made and one table row per README block or example."""
    lines = [
        '## README blocks and examples', '',
        f'Written by `{command}`: each README code block and example script of the '
        'checkout runs end to end in its own process, in a fresh copy of its folder, against '
        '`spotlight_compat` through the import alias'
        + (' and against the original spotlight 0.1.6' if 'original' in modes else '')
        + '. Interpreters: `' + recorded_command([modes['compat']], {modes['compat']: 'PYTHON'})
        + '` (compat)'
        + (', `' + recorded_command([modes['original']], {modes['original']: 'ORIGINAL_PYTHON'})
           + '` (original)' if 'original' in modes else '')
        + f'. Load average at the start: {load}; OMP_NUM_THREADS='
        f'{os.environ.get("OMP_NUM_THREADS", "unset")}'
        + ('; `seaborn` and `tabulate` (used by the examples\' plots and tables, not by either '
           'library) from `--example-path`' if example_path else '') + '.', '',
        'The code is spotlight\'s, unchanged but for the import and, where the table says so, '
        'exact text replacements made at run time: *dataset* where the example downloads '
        'MovieLens 1M or the Amazon dataset, which cannot happen offline (MovieLens 100K '
        'instead), and *budget* where its hyperparameter search or timing experiment would '
        'take days on this 2-core CPU. The hyperparameters that the searches draw, and so the '
        'MRRs, are therefore not comparable with spotlight\'s published results; the two '
        'columns run the same adapted code with the same seeds. The README blocks print '
        'nothing: the harness prints the value each computes (`rmse`, the mean of `mrr`) '
        'after it has run.', '',
        'Where the printed results differ between the columns: the README blocks and the '
        'notebook are unseeded; the factorization searches\' adaptive hinge fits pair '
        'negatives with their own user here (see the README); the other seeded fits start '
        'from the same weights and draws, and the ones at learning rate 0.1 drift apart by '
        'float rounding over their epochs; the CNN search\'s dilated networks are not '
        'reproducible from run to run on this CPU with either library; `performance.py` '
        'prints timings. Times in the table are wall-clock seconds on a 2-core machine '
        'shared with other work: they compare the libraries only roughly.', '',
        '| code | what was changed | compat | original | printed result: compat | '
        'printed result: original | same printed result |',
        '|---|---|---|---|---|---|---|']
    for name, example, outcomes in results:
        what = changes(example) if example else 'import'
        if example and example.get('note'):
            what += f' ({example["note"]})'
        compat, original = outcomes.get('compat'), outcomes.get('original')
        same = ''
        if compat and original and not (compat['error'] or original['error']):
            same = 'yes' if compat['result'] == original['result'] else 'no'
        lines.append(f'| `{name}` | {what} | {cell(compat)} | {cell(original)} | '
                     f'{(compat or {}).get("result", "")} | '
                     f'{(original or {}).get("result", "")} | {same} |')
    if notebook_printed:
        lines += ['', 'The notebook as shipped printed `' + notebook_printed + '` (the same '
                  'code, unseeded, on the author\'s machine).']
    return lines


def write_section(path, lines):
    """Put ``lines`` in place of the report's README/examples section, in one rename."""
    text = path.read_text() if path.exists() else ''
    head, marker, rest = text.partition('\n## README blocks and examples')
    tail = ''
    if marker:
        after = rest.find('\n## Statistical tests over seeds')
        tail = rest[after:] if after >= 0 else ''
    write_atomically(path, head.rstrip('\n') + '\n\n' + '\n'.join(lines) + '\n' + tail)


def run_examples(checkout, modes, output, command, example_path=None, timeout=240,
                 only=None):
    """
    Run the README blocks and examples with each interpreter of ``modes``
    ({'compat': python[, 'original': python]}) and write their section of ``output``.
    """
    load = load_averages()
    u_data = movielens_u_data()
    settings = argparse.Namespace(timeout=timeout, example_path=example_path)
    keep = Path(tempfile.mkdtemp(prefix='spotlight-example-logs-'))
    results = []
    for number, block in enumerate(readme_blocks(checkout), 1):
        if only and f'README block {number}' not in only:
            continue
        outcomes = {mode: run_readme_block(number, block, mode, python, checkout, u_data,
                                           settings)
                    for mode, python in modes.items()}
        print(f'README block {number}', outcomes, flush=True)
        results.append((f'readme.rst block {number}', None, outcomes))
    for mode, python in modes.items():
        carried = {}
        for example in EXAMPLES:
            if only and example['name'] not in only:
                continue
            outcome = run_example(example, mode, python, checkout, u_data, settings, carried,
                                  keep)
            print(mode, example['name'], outcome, flush=True)
            row = next((row for row in results if row[0] == 'examples/' + example['name']),
                       None)
            if row is None:
                row = ('examples/' + example['name'], example, {})
                results.append(row)
            row[2][mode] = outcome
    notebook = checkout / 'examples/movielens_explicit/movielens_explicit.ipynb'
    printed = notebook_output(notebook) if notebook.exists() else ''
    write_section(output, section(results, modes, command, example_path, load, printed))
    print(f'Example logs in {keep}')
    return results


def main():
    """Command line: run the README blocks and examples and write their section of ``--output``."""
    arguments = parse_arguments()
    modes = {'compat': arguments.python}
    if arguments.original:
        modes['original'] = arguments.original_python
    command = recorded_command(
        ['python', '-m', 'tools.spotlight_conformance.examples', arguments.checkout,
         *(['--original'] if arguments.original else []),
         *(['--example-path', arguments.example_path] if arguments.example_path else [])],
        {arguments.checkout: 'SPOTLIGHT_SRC'})
    run_examples(arguments.checkout, modes, arguments.output, command, arguments.example_path,
                 arguments.timeout, arguments.only)
    print(f'Wrote {arguments.output}')


if __name__ == '__main__':
    main()
