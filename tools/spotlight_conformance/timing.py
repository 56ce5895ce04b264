"""
Time spotlight_compat against the original spotlight 0.1.6 on the same work and
write results/against_spotlight.md.

Data steps run on synthetic interactions (uniform random user ids in [0, 66,666),
item ids in [1, 10,000], ratings in 1..5 and int32 timestamps, from
``np.random.RandomState(0)``) at each size of ``--sizes``: ``random_train_test_split``,
``user_based_train_test_split`` and ``to_sequence()``. Model steps run at the
homework's size, MovieLens 100K (the cached ``u.data``): the two baselines'
fits (``ExplicitFactorizationModel``, ``ImplicitSequenceModel`` with pooling and
the pointwise loss, three epochs each), ``ImplicitFactorizationModel`` (BPR, three
epochs) and ``sequence_mrr_score`` of the fitted sequence model on the user-based
test sequences.

Every measurement is one fresh process (building the data is not timed, only
the step; wall and CPU time), ``--runs`` times per library; the two libraries alternate, which
one goes first alternating too, so that a busy machine slows both alike. The
1-minute load average is recorded before every measurement.

Usage::

    python -m tools.spotlight_conformance.timing --original-python ORIGINAL_PYTHON \\
        [--sizes 1M 10M 20M] [--runs 3] [--short-runs 15] [--output results/against_spotlight.md]

The data steps at 1M rows take tens of milliseconds, about as much as a fresh process's
page faults vary from run to run, so they run ``--short-runs`` times. A step is called
faster or slower only when the two libraries' ranges of CPU times do not overlap;
otherwise the same within the run-to-run spread.

The original's interpreter (``ORIGINAL_PYTHON``) needs ``spotlight`` importable (a checkout on
``PYTHONPATH`` or installed) with torch, numpy, scipy and scikit-learn.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / 'results' / 'against_spotlight.md'
NUM_USERS, NUM_ITEMS = 66_666, 10_000
DATA_STEPS = ('random_train_test_split', 'user_based_train_test_split', 'to_sequence')
MODEL_STEPS = ('explicit_fit', 'implicit_factorization_fit', 'sequence_fit',
               'sequence_mrr_score')
SIZES = {'1M': 1_000_000, '10M': 10_000_000, '20M': 20_000_000}


def synthetic_columns(rows):
    """User ids, item ids, ratings and timestamps of ``rows`` synthetic interactions
    (``RandomState(0)``)."""
    import numpy as np
    state = np.random.RandomState(0)
    return (state.randint(0, NUM_USERS, rows).astype(np.int32),
            state.randint(1, NUM_ITEMS + 1, rows).astype(np.int32),
            state.randint(1, 6, rows).astype(np.float32),
            state.randint(0, 2 ** 31 - 1, rows).astype(np.int32))


def movielens_columns(u_data):
    """User ids, item ids, ratings and timestamps of MovieLens 100K, read from ``u_data``."""
    import numpy as np
    rows = np.loadtxt(u_data, dtype=np.int64)
    return (rows[:, 0].astype(np.int32), rows[:, 1].astype(np.int32),
            rows[:, 2].astype(np.float32), rows[:, 3].astype(np.int32))


def library(name):
    """The modules of ``name`` ('original' or 'compat'), under spotlight's names."""
    import importlib
    package = 'spotlight' if name == 'original' else 'spotlight_compat'
    modules = ('interactions', 'cross_validation', 'evaluation', 'factorization.explicit',
               'factorization.implicit', 'sequence.implicit')
    return {module: importlib.import_module(f'{package}.{module}') for module in modules}


def worker(name, step, size, u_data):
    """Run one step of one library and return its wall and CPU seconds."""
    import numpy as np
    lib = library(name)
    columns = synthetic_columns(SIZES[size]) if step in DATA_STEPS else movielens_columns(u_data)
    user_ids, item_ids, ratings, timestamps = columns
    data = lib['interactions'].Interactions(user_ids, item_ids, ratings=ratings,
                                            timestamps=timestamps)
    split = lib['cross_validation']
    state = np.random.RandomState(0)
    if step == 'random_train_test_split':
        return _timed(lambda: split.random_train_test_split(data, random_state=state))
    if step == 'user_based_train_test_split':
        return _timed(lambda: split.user_based_train_test_split(data, random_state=state))
    if step == 'to_sequence':
        return _timed(data.to_sequence)
    if step == 'explicit_fit':
        train, _ = split.random_train_test_split(data, random_state=state)
        explicit = lib['factorization.explicit']
        model = explicit.ExplicitFactorizationModel(n_iter=3, random_state=state)
        return _timed(lambda: model.fit(train))
    if step == 'implicit_factorization_fit':
        train, _ = split.random_train_test_split(data, random_state=state)
        model = lib['factorization.implicit'].ImplicitFactorizationModel(loss='bpr', n_iter=3,
                                                           random_state=state)
        return _timed(lambda: model.fit(train))
    train, test = split.user_based_train_test_split(data, random_state=state)
    train, test = train.to_sequence(), test.to_sequence()
    model = lib['sequence.implicit'].ImplicitSequenceModel(n_iter=3, representation='pooling',
                                                           loss='pointwise', random_state=state)
    if step == 'sequence_fit':
        return _timed(lambda: model.fit(train))
    model.fit(train)
    return _timed(lambda: lib['evaluation'].sequence_mrr_score(model, test))


def _timed(function):
    """Wall and CPU (this process's) seconds of ``function()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(python, name, step, size, u_data):
    """Run ``worker`` for one step in a fresh ``python`` process; {'wall': seconds, 'cpu': seconds}.
    Raises RuntimeError when the process fails."""
    command = [python, str(Path(__file__).resolve()), '--worker', name, step, size, u_data]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f'{name} {step} {size} failed:\n{result.stderr[-3000:]}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_all(arguments):
    """Measure every step with both libraries, alternating which goes first;
    ({(step, size): {library: [measure's seconds, ...]}}, the load average before each measurement)."""
    from .harness import movielens_u_data  # here: workers run the original, without this package
    u_data = movielens_u_data()
    plan = [(step, size) for size in arguments.sizes for step in DATA_STEPS]
    plan += [(step, '100K') for step in MODEL_STEPS]
    pythons = {'original': arguments.original_python, 'compat': arguments.python}
    times = {(step, size): {'original': [], 'compat': []} for step, size in plan}
    loads = []
    for run in range(max(arguments.runs, arguments.short_runs)):
        for number, (step, size) in enumerate(plan):
            if run >= runs_of(step, size, arguments):
                continue
            order = ['original', 'compat'] if (run + number) % 2 == 0 else ['compat', 'original']
            for name in order:
                loads.append(os.getloadavg()[0])
                seconds = measure(pythons[name], name, step, size, u_data)
                times[(step, size)][name].append(seconds)
                print(f'run {run + 1} {step} {size} {name}: {seconds["wall"]:.3f} s wall, '
                      f'{seconds["cpu"]:.3f} s CPU (load {loads[-1]:.2f})', flush=True)
    return times, loads


def runs_of(step, size, arguments):
    """How many times ``step`` runs at ``size``: more for the 1M data steps."""
    return arguments.short_runs if size == '1M' and step in DATA_STEPS else arguments.runs


def verdict(original, compat):
    """The ratio of median CPU times, and whether the ranges of CPU times separate the two."""
    ratio = _median(original, 'cpu') / _median(compat, 'cpu')
    original_cpu = [run['cpu'] for run in original]
    compat_cpu = [run['cpu'] for run in compat]
    if max(compat_cpu) < min(original_cpu):
        return f'{ratio:.2f}x, faster'
    if max(original_cpu) < min(compat_cpu):
        return f'{ratio:.2f}x, slower'
    return f'{ratio:.2f}x, the same within the run-to-run spread'


def _median(runs, kind):
    values = sorted(run[kind] for run in runs)
    return values[len(values) // 2]


def _span(runs, kind):
    low, high = min(run[kind] for run in runs), max(run[kind] for run in runs)
    return f'{low:.2f} s' if f'{low:.2f}' == f'{high:.2f}' else f'{low:.2f}-{high:.2f} s'


def write_report(path, arguments, times, loads, started, finished):
    """Write the markdown report of ``run_all``'s times and loads to ``path``."""
    from benchmarks.machine import recorded_command  # here too: workers run the original
    command = recorded_command(['python', '-m', 'tools.spotlight_conformance.timing', '--original-python',
                                arguments.original_python, '--sizes', *arguments.sizes,
                                '--runs', arguments.runs, '--short-runs', arguments.short_runs])
    lines = ['# spotlight_compat against spotlight 0.1.6', '',
             f'Written by `{command}` on {time.strftime("%Y-%m-%d", time.gmtime(started))} '
             f'({finished - started:.0f} s). Each time is one fresh process timing one step; '
             'the libraries alternate (and which goes first). Same torch (2.13 CPU), numpy, '
             'scipy and scikit-learn for both; OMP_NUM_THREADS='
             f'{os.environ.get("OMP_NUM_THREADS", "unset")} '
             '(torch\'s threads spin against the other jobs otherwise).', '',
             f'Machine: {os.cpu_count()} cores, shared with other jobs: the 1-minute load '
             f'average before each measurement ranged {min(loads):.2f}-{max(loads):.2f} '
             f'(median {sorted(loads)[len(loads) // 2]:.2f}), so absolute times are noisy; '
             'the ratios compare runs made side by side.', '',
             f'Synthetic data: uniform random user ids in [0, {NUM_USERS:,}), item ids in '
             f'[1, {NUM_ITEMS:,}], ratings and int32 timestamps (`np.random.RandomState(0)`). '
             'Model steps: MovieLens 100K, the homework\'s size.', '',
             'CPU time is the process\'s own (`time.process_time()`; every step is '
             'single-threaded), which the other jobs on the machine disturb far less than the '
             'wall time; the ratio compares medians of CPU time.', '',
             'A step is called faster or slower only when the ranges of CPU times of the two '
             'libraries do not overlap.', '',
             '| step | rows | runs each | original CPU | compat CPU | original wall | compat wall '
             '| median original CPU / median compat CPU |',
             '|---|---|---|---|---|---|---|---|']
    for (step, size), runs in times.items():
        original, compat = runs['original'], runs['compat']
        lines.append(f'| `{step}` | {size} | {len(original)} | {_span(original, "cpu")} '
                     f'| {_span(compat, "cpu")} | {_span(original, "wall")} | {_span(compat, "wall")} '
                     f'| {verdict(original, compat)} |')
    from spotlight_compat.atomic import atomic_write_bytes  # here: workers run the original
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, ('\n'.join(lines) + '\n').encode('utf-8'))


def main():
    """Command line: measure every step and write the report; with ``--worker NAME STEP SIZE
    U_DATA``, time one step in this process and print its seconds as JSON."""
    if len(sys.argv) > 1 and sys.argv[1] == '--worker':
        name, step, size, u_data = sys.argv[2:6]
        wall, cpu = worker(name, step, size, u_data)
        print(json.dumps({'wall': wall, 'cpu': cpu}))
        return
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--original-python', required=True,
                        help='interpreter that imports the original spotlight')
    parser.add_argument('--python', default=sys.executable,
                        help='interpreter that imports spotlight_compat (default: this one)')
    parser.add_argument('--sizes', nargs='+', default=list(SIZES), choices=list(SIZES))
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--short-runs', type=int, default=15,
                        help='runs of the data steps at 1M rows (default 15)')
    parser.add_argument('--output', type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()
    if arguments.runs < 1 or arguments.short_runs < 1:
        parser.error('--runs and --short-runs must be at least 1')
    started = time.time()
    times, loads = run_all(arguments)
    write_report(arguments.output, arguments, times, loads, started, time.time())
    print(f'Wrote {arguments.output}')


if __name__ == '__main__':
    main()
