"""
Cost at scale: time and peak memory of the data pipeline on synthetic datasets
shaped like MovieLens 100K, 1M, 10M and 20M (their user, item and interaction
counts; power-law item popularity; log-normal activity per user, at least 20
interactions each; per-user timestamps), rows in random order.

Steps, each in a fresh process so that its peak memory is its own:

* ``random_split``: ``random_train_test_split(data)``;
* ``user_split``: ``user_based_train_test_split(data)``;
* ``to_sequence``: ``data.to_sequence()`` (windows of 10, the notebook's);
* ``permutation`` (reference): ``RandomState.shuffle`` of the row numbers alone,
  which ``random_split`` must reproduce bit for bit (spotlight's split);
* ``mrr``: batched ``sequence_mrr_score`` of a pooling ``ImplicitSequenceModel``
  on the user-split test sequences, every item ranked, split into the model's
  scoring (``predict_sequences``) and the ranking. The model is fitted for one
  epoch on 2,000 training sequences only: the cost of scoring does not depend
  on the weights.

Seconds are the median of 3 runs (the MRR: one run). Peak memory is the
kernel's peak resident set (VmHWM) of the step's process, reset just before the
step, so it includes the loaded dataset.

Usage: ``nice -n 10 python -m benchmarks.scaling`` (writes ``results/scaling.md``);
``--sizes 100K 1M`` for a quick run.
"""

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from spotlight_compat.atomic import atomic_write_bytes

from .machine import ROOT


# (interactions, users, items) of the MovieLens releases
SIZES = {'100K': (100_000, 943, 1_682), '1M': (1_000_209, 6_040, 3_706),
         '10M': (10_000_054, 69_878, 10_677), '20M': (20_000_263, 138_493, 26_744)}
STEPS = ('random_split', 'user_split', 'to_sequence', 'mrr', 'permutation')
MIN_PER_USER = 20
SEED = 0
REPEATS = 3  # runs of each step but the MRR, whose median is reported
TARGET_EXPONENT, TARGET_SPLIT_SECONDS, TARGET_PEAK_GB = 1.15, 60.0, 8.0


def synthetic_columns(num_interactions, num_users, num_items, seed=SEED):
    """User, item, rating and timestamp columns of a MovieLens-shaped dataset."""
    rs = np.random.RandomState(seed)
    activity = rs.lognormal(0.0, 1.2, num_users)
    spare = num_interactions - MIN_PER_USER * num_users
    counts = MIN_PER_USER + np.floor(spare * activity / activity.sum()).astype(np.int64)
    counts[rs.choice(num_users, num_interactions - counts.sum(), replace=False)] += 1
    user_ids = np.repeat(np.arange(1, num_users + 1, dtype=np.int32), counts)
    popularity = np.arange(1, num_items + 1) ** -0.9  # Zipf-like, by popularity rank
    ranked_item = rs.permutation(num_items).astype(np.int32) + 1
    item_ids = ranked_item[rs.choice(num_items, num_interactions, p=popularity / popularity.sum())]
    first_day = rs.randint(0, 3 * 365, num_users)  # each user active from some day on
    span_days = np.minimum(rs.lognormal(3.0, 1.5, num_users), 15 * 365)  # within int32 seconds
    timestamps = (946_684_800 + 86_400 * (first_day[user_ids - 1]
                                          + rs.random_sample(num_interactions) * span_days[user_ids - 1]))
    ratings = rs.randint(1, 6, num_interactions).astype(np.float32)
    order = rs.permutation(num_interactions)
    return (user_ids[order], item_ids[order], ratings[order],
            timestamps[order].astype(np.int64))


# --- One step in one process ----------------------------------------------------------------

class TimedScores:
    """Passes ``predict_sequences`` to the model, adding up the seconds it takes."""

    def __init__(self, model):
        self.model, self.seconds = model, 0.0

    def predict_sequences(self, prefixes):
        """The model's ``predict_sequences(prefixes)``, its seconds added to ``self.seconds``."""
        start = time.perf_counter()
        scores = self.model.predict_sequences(prefixes)
        self.seconds += time.perf_counter() - start
        return scores


def _peak_rss_gb():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 2 ** 20
    raise RuntimeError('VmHWM not found in /proc/self/status')


def _prepare(step, data):
    """The step as a function of no arguments, with anything it needs built (untimed)."""
    from spotlight_compat.cross_validation import (random_train_test_split,
                                                   user_based_train_test_split)
    if step == 'random_split':
        return lambda: random_train_test_split(data, random_state=np.random.RandomState(SEED))
    if step == 'user_split':
        return lambda: user_based_train_test_split(data, random_state=np.random.RandomState(SEED))
    if step == 'to_sequence':
        return data.to_sequence
    if step == 'permutation':  # the floor of random_split: spotlight's shuffle, reproduced
        return lambda: np.random.RandomState(SEED).shuffle(np.arange(len(data)))
    return _prepare_mrr(data)


def _prepare_mrr(data):
    from spotlight_compat.cross_validation import user_based_train_test_split
    from spotlight_compat.evaluation import sequence_mrr_score
    from spotlight_compat.interactions import SequenceInteractions
    from spotlight_compat.sequence.implicit import ImplicitSequenceModel

    train, test = user_based_train_test_split(data, random_state=np.random.RandomState(SEED))
    sample = train.to_sequence().sequences[:2_000]
    test_sequences = test.to_sequence()
    model = ImplicitSequenceModel(n_iter=1, representation='pooling', loss='pointwise',
                                  random_state=np.random.RandomState(SEED))
    model.fit(SequenceInteractions(sample, num_items=data.num_items))
    timed = TimedScores(model)

    def run():
        return sequence_mrr_score(timed, test_sequences)

    run.details = lambda: {'scoring_s': timed.seconds, 'rows': len(test_sequences)}
    return run


def run_step(data_file, step):
    """Load the dataset, run ``step`` once, print its time and peak memory as JSON."""
    from spotlight_compat.interactions import Interactions

    with np.load(data_file) as columns:
        user_ids, item_ids, ratings, timestamps = (columns[f'arr_{i}'] for i in range(4))
    data = Interactions(user_ids, item_ids, ratings, timestamps)
    del user_ids, item_ids, ratings, timestamps
    function = _prepare(step, data)
    with open('/proc/self/clear_refs', 'w') as clear:  # restart the peak-RSS count here
        clear.write('5')
    runs, cpu_runs = [], []
    for _ in range(1 if step == 'mrr' else REPEATS):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = function()
        runs.append(time.perf_counter() - start)
        cpu_runs.append(time.process_time() - cpu_start)
        del result
    extra = function.details() if step == 'mrr' else {}
    print(json.dumps({'seconds': float(np.median(runs)), 'cpu_seconds': float(np.median(cpu_runs)),
                      'runs': runs, 'peak_gb': _peak_rss_gb(), **extra}))


# --- Driver ---------------------------------------------------------------------------------

def measure(size, scratch):
    """Generate the ``size`` dataset in ``scratch``, run each of ``STEPS`` in its own process;
    {step: its measurements as ``run_step`` prints them}. Raises RuntimeError when a step fails."""
    data_file = Path(scratch) / f'{size}.npz'
    start = time.perf_counter()
    np.savez(data_file, *synthetic_columns(*SIZES[size]))
    print(f'{size}: generated in {time.perf_counter() - start:.1f} s', flush=True)
    results = {}
    for step in STEPS:
        completed = subprocess.run([sys.executable, '-m', 'benchmarks.scaling', '--step', step, str(data_file)],
                                   capture_output=True, text=True, check=False, cwd=ROOT)
        if completed.returncode != 0:
            raise RuntimeError(f'{size} {step} failed:\n{completed.stderr}')
        results[step] = json.loads(completed.stdout.strip().splitlines()[-1])
        print(f'  {step}: {results[step]}', flush=True)
    data_file.unlink()
    return results


def report(results):
    """The markdown report (``results/scaling.md``) of {size: ``measure``'s results}."""
    sizes = list(results)
    lines = ['# Cost at scale', '',
             f'`python -m benchmarks.scaling` on {platform.processor() or platform.machine()}, '
             f'{_cpu_count()} CPU cores, Python {platform.python_version()}, '
             'Synthetic data shaped like each MovieLens release '
             '(see the script). Wall-clock seconds / CPU seconds of the step\'s process (median of 3 '
             'runs; MRR: 1 run, PyTorch on 2 threads); peak = peak resident '
             "memory of the step's process (dataset included).", '',
             '| size | users | items | ' + ' | '.join(f'{step}: s / CPU s (peak GB)' for step in STEPS)
             + ' | MRR: scoring s / ranking s | test rows |',
             '|---|---|---|' + '---|' * (len(STEPS) + 2)]
    for size in sizes:
        row = results[size]
        mrr = row['mrr']
        lines.append(f'| {size} | {SIZES[size][1]:,} | {SIZES[size][2]:,} | '
                     + ' | '.join(f"{row[step]['seconds']:.2f} / {row[step]['cpu_seconds']:.2f} "
                                  f"({row[step]['peak_gb']:.2f})"
                                  for step in STEPS)
                     + f" | {mrr['scoring_s']:.2f} / {mrr['seconds'] - mrr['scoring_s']:.2f}"
                     + f" | {mrr['rows']:,} |")
    lines += ['', *growth_lines(results), '', *target_lines(results)]
    return '\n'.join(lines) + '\n'


def growth_lines(results):
    """Markdown lines: each step's growth exponents, wall and CPU, from 1M to 20M and from 10M to
    20M, and the batched MRR's cost per (row, item) pair; one line saying so without those sizes."""
    if not {'1M', '10M', '20M'} <= set(results):
        return ['(Growth exponents need the 1M, 10M and 20M runs.)']
    per_pair = {size: results[size]['mrr']['seconds'] / (results[size]['mrr']['rows'] * SIZES[size][2])
                for size in ('1M', '20M')}
    lines = ['Growth exponents (log-log slope of seconds against interactions; 1 = linear), '
             'of wall-clock and of CPU seconds (the process\'s own, less sensitive to other load '
             'on the machine), from 1M to 20M and, with both sizes past the CPU caches, from 10M '
             'to 20M:', '',
             f'| step | 1M-20M wall | 1M-20M CPU | <= {TARGET_EXPONENT} (wall) | 10M-20M wall '
             '| 10M-20M CPU |', '|---|---|---|---|---|---|']
    for step in STEPS:
        wall, cpu = ({size: results[size][step][key] for size in SIZES if size in results}
                     for key in ('seconds', 'cpu_seconds'))
        lines.append(f"| {step} | {_slope(wall):.2f} | {_slope(cpu):.2f} | "
                     f"{'yes' if _slope(wall) <= TARGET_EXPONENT else 'no'} | "
                     f"{_slope(wall, '10M'):.2f} | {_slope(cpu, '10M'):.2f} |")
    lines += ['', '`random_split` must reproduce spotlight\'s `RandomState.shuffle` of the row numbers '
              'and then read every column in that random order; the `permutation` row times the '
              'shuffle alone. `to_sequence` sorts the rows by user and time and reads them in that '
              'order. These are random memory accesses, which stay in the CPU caches at 1M rows and '
              'go to main memory at 10M and 20M. CPU seconds well below wall-clock seconds mean '
              'other work shared the machine; the spread between the runs of a step (all kept in '
              'the .json beside this file) shows how rough the 10M-20M exponents are.']
    lines += ['', 'Ranking every item for every test row costs rows x items, and the catalogue '
              f"grows {SIZES['20M'][2] / SIZES['1M'][2]:.1f}x from 1M to 20M while the rows grow "
              'with the interactions, so the MRR exponent is above 1 by construction; per '
              '(row, item) pair the batched MRR takes '
              f"{1e9 * per_pair['1M']:.2f} ns at 1M and {1e9 * per_pair['20M']:.2f} ns at 20M "
              f"(exponent {_slope(per_pair):.2f})."]
    return lines


def _slope(values, first='1M', last='20M'):
    return math.log(values[last] / values[first]) / math.log(SIZES[last][0] / SIZES[first][0])


def target_lines(results):
    """Markdown lines: the 20M run against the targets (split seconds, peak memory, ranking no
    slower than scoring); none without a 20M run."""
    if '20M' not in results:
        return []
    row = results['20M']
    split_and_sequence = sum(row[step]['seconds'] for step in ('random_split', 'user_split',
                                                                'to_sequence'))
    peak = max(row[step]['peak_gb'] for step in STEPS)
    ranking = row['mrr']['seconds'] - row['mrr']['scoring_s']
    return ['Targets at 20M:', '',
            f'* both splits + `to_sequence`: {split_and_sequence:.1f} s '
            f'(target < {TARGET_SPLIT_SECONDS:.0f} s);',
            f'* peak memory of any step: {peak:.2f} GB (target < {TARGET_PEAK_GB:.0f} GB);',
            f"* batched MRR: ranking {ranking:.1f} s against the model's scoring "
            f"{row['mrr']['scoring_s']:.1f} s (target: ranking no slower than scoring)."]


def _cpu_count():
    import os
    return len(os.sched_getaffinity(0))


def main():
    """Command line: measure ``--sizes`` (or reread ``--from-json``), write the report and its .json
    and print it; with the internal ``--step STEP DATA_FILE``, run that one step (``run_step``)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', nargs='+', default=list(SIZES), choices=list(SIZES))
    parser.add_argument('--output', default=str(ROOT / 'results' / 'scaling.md'))
    parser.add_argument('--from-json', help='rewrite the report from the measurements that a '
                        'run saved beside it (OUTPUT with .json), without measuring again')
    parser.add_argument('--step', choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument('data_file', nargs='?', help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.step:
        run_step(arguments.data_file, arguments.step)
        return
    if arguments.from_json:
        results = json.loads(Path(arguments.from_json).read_text())
    else:
        with tempfile.TemporaryDirectory() as scratch:
            results = {size: measure(size, scratch) for size in arguments.sizes}
        atomic_write_bytes(Path(arguments.output).with_suffix('.json'), json.dumps(results).encode())
    text = report(results)
    atomic_write_bytes(arguments.output, text.encode())
    print(text)


if __name__ == '__main__':
    main()
