"""
Run both notebooks for several seeds and aggregate every model's test metric.

Each seed re-executes ``recsys_homework.ipynb`` and ``beyond_the_homework.ipynb`` headless
(``scripts/run_notebook.py``, papermill) with ``SEED`` overridden (every split, model and
training run is seeded from it), into a scratch directory; the per-seed metrics files are
then aggregated into
``results/benchmark.json`` and ``results/benchmark.md`` (mean ± std over seeds,
mean training seconds), next to spotlight's own reference figures.

Usage::

    python -m benchmarks.benchmark                 # seeds 0-4
    python -m benchmarks.benchmark --seeds 0 1
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from recsys_models.results import mean_and_std
from spotlight_compat.atomic import atomic_write_bytes

from .machine import ROOT, load_average, machine_line

GOLDEN = ROOT / 'tests' / 'fixtures' / 'golden' / 'spotlight_baselines.json'
# each notebook and the metrics file it writes into RESULTS_DIR
NOTEBOOKS = {'recsys_homework.ipynb': 'metrics.json', 'beyond_the_homework.ipynb': 'beyond_metrics.json'}


def run_seed(seed, scratch):
    """Run both notebooks with ``SEED = seed``; every row they record, homework first."""
    results_dir = scratch / f'seed{seed}'
    rows = []
    for notebook, metrics_file in NOTEBOOKS.items():
        command = [sys.executable, str(ROOT / 'scripts' / 'run_notebook.py'), str(ROOT / notebook),
                   '--seed', str(seed), '--output', str(results_dir / notebook), '--results-dir', str(results_dir)]
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        print(f'seed {seed}: {notebook} ran in {time.perf_counter() - start:.0f} s', flush=True)
        rows += json.loads((results_dir / metrics_file).read_text())
    return rows


def aggregate(rows_by_seed):
    """One row per (metric, model), in notebook order, with mean and std over seeds."""
    table = {}
    for rows in rows_by_seed:
        for row in rows:
            entry = table.setdefault((row['metric'], row['model']), {'values': [], 'seconds': []})
            entry['values'].append(row['value'])
            if row['train_seconds'] is not None:  # None: not timed (a handout cell, timed by %%time)
                entry['seconds'].append(row['train_seconds'])
    return [dict(metric=metric, model=model, mean=mean_and_std(e['values'])[0],
                 std=mean_and_std(e['values'])[1], seeds=len(e['values']),
                 values=e['values'],
                 train_seconds_mean=float(np.mean(e['seconds'])) if e['seconds'] else None)
            for (metric, model), e in table.items()]


def markdown(rows, seeds):
    """The markdown table of ``aggregate``'s rows over ``seeds`` (mean ± std, mean training
    seconds), with spotlight's own reference figures below it."""
    reference = json.loads(GOLDEN.read_text())
    lines = [f'Test metrics over seeds {", ".join(map(str, seeds))} (mean ± sample std); '
             'training seconds are means.', '',
             '| metric | model | mean ± std | train s |', '|---|---|---|---|']
    for row in rows:
        seconds = row['train_seconds_mean']
        lines.append(f"| {row['metric']} | {row['model']} | {row['mean']:.4f} ± {row['std']:.4f} "
                     f"| {'-' if seconds is None else f'{seconds:.1f}'} |")
    explicit = reference['ExplicitFactorizationModel(n_iter=3)']
    implicit = reference['ImplicitSequenceModel(n_iter=3, representation=pooling, loss=pointwise)']
    lines += ['', 'spotlight v0.1.6 itself on the same splits (seeds 0-4): '
              f"ExplicitFactorizationModel(n_iter=3) RMSE {explicit['rmse_mean']:.4f} ± "
              f"{explicit['rmse_std']:.4f}; pooling ImplicitSequenceModel MRR "
              f"{implicit['mrr_mean']:.4f} ± {implicit['mrr_std']:.4f}.", '']
    return '\n'.join(lines)


def main(argv=None):
    """Run both notebooks for each of ``--seeds``, write ``benchmark.json`` and ``benchmark.md`` to
    ``--output-dir`` and print the table; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--output-dir', default=str(ROOT / 'results'))
    args = parser.parse_args(argv)
    load_start = load_average()
    with tempfile.TemporaryDirectory() as scratch:
        rows_by_seed = [run_seed(seed, Path(scratch)) for seed in args.seeds]
    rows = aggregate(rows_by_seed)
    machine = machine_line(load_start) + f'; torch threads: {os.environ.get("OMP_NUM_THREADS", "torch default")}'
    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(output / 'benchmark.json', (json.dumps(
        {'seeds': args.seeds, 'machine': machine, 'rows': rows}, indent=1) + '\n').encode('utf-8'))
    table = markdown(rows, args.seeds) + f'\nMeasured on {machine}.\n'

    atomic_write_bytes(output / 'benchmark.md', table.encode('utf-8'))
    print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
