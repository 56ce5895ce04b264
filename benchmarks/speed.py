"""
Speed checks, measured side by side in one run (seed 0, this machine):

1. time for the Bayesian MF to reach test RMSE <= 0.92, over the fit time of
   ``ExplicitFactorizationModel(n_iter=3)`` (target: ratio <= 1);
2. time for the GRU to reach the pooling baseline's test MRR, over the pooling
   model's fit time (target: ratio <= 2);
3. batched ``sequence_mrr_score`` against the per-row loop on the test
   sequences: same values (1e-6) and the speed-up (target: >= 50x);
4. the whole notebook, headless: median wall time of several runs and the peak
   resident memory of its kernel (targets: <= 60 s, <= 2 GB).

The models and training functions are the notebook's own (benchmarks/notebook_code.py).

Usage::

    python benchmarks/speed.py                   # everything, 3 notebook runs
    python benchmarks/speed.py --notebook-runs 0 # skip the notebook runs
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_code import notebook_definitions  # noqa: E402

from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split  # noqa: E402
from spotlight_compat.datasets.movielens import get_movielens_dataset  # noqa: E402
from spotlight_compat.evaluation import rmse_score, sequence_mrr_score  # noqa: E402
from spotlight_compat.factorization.explicit import ExplicitFactorizationModel  # noqa: E402
from spotlight_compat.sequence.implicit import ImplicitSequenceModel  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = 0


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


class RowByRow:
    """Hides a model's batched scoring so the evaluation loops over rows."""

    def __init__(self, model):
        self.predict = model.predict


def evaluation_speedup(model, test, repeats=5):
    """Median per-row time over median batched time of sequence_mrr_score; values must agree."""
    batched = sequence_mrr_score(model, test)  # warm-up
    batched_seconds = statistics.median(timed(lambda: sequence_mrr_score(model, test))[1]
                                        for _ in range(repeats))
    per_row, per_row_seconds = timed(lambda: sequence_mrr_score(RowByRow(model), test))
    difference = np.abs(batched - per_row).max()
    print(f'sequence_mrr_score, {type(model).__name__}, {len(test.sequences)} test rows: batched '
          f'{batched_seconds * 1000:.1f} ms, per row {per_row_seconds * 1000:.0f} ms '
          f'({per_row_seconds / batched_seconds:.0f}x), largest difference {difference:.1e}')
    assert difference <= 1e-6
    return per_row_seconds / batched_seconds


def explicit_ratio(nb, dataset):
    train, test = random_train_test_split(dataset, random_state=np.random.RandomState(SEED))
    ExplicitFactorizationModel(n_iter=1, device='cpu').fit(train)  # warm-up: first torch calls
    baseline = ExplicitFactorizationModel(n_iter=3, device='cpu',
                                          random_state=np.random.RandomState(SEED))
    _, baseline_seconds = timed(lambda: baseline.fit(train))
    print(f'ExplicitFactorizationModel(n_iter=3): fit {baseline_seconds:.2f} s, '
          f'test RMSE {rmse_score(baseline, test):.4f}')
    for n_iter in (15, 20, 25, 30, 40, 60):  # burn-in is 10 sweeps
        model = nb['BayesianMF'](n_iter=n_iter, random_state=np.random.RandomState(SEED))
        _, seconds = timed(lambda: model.fit(train))
        rmse = rmse_score(model, test)
        if rmse <= 0.92:
            print(f'Bayesian MF reaches test RMSE {rmse:.4f} <= 0.92 after {n_iter} sweeps, '
                  f'{seconds:.2f} s')
            return seconds / baseline_seconds
    print('Bayesian MF did not reach 0.92 within 60 sweeps')
    return float('inf')


def implicit_ratio(nb, dataset):
    train_interactions, test_interactions = user_based_train_test_split(
        dataset, random_state=np.random.RandomState(SEED))
    train, test = train_interactions.to_sequence(), test_interactions.to_sequence()
    pooling = ImplicitSequenceModel(n_iter=3, representation='pooling', loss='pointwise',
                                    device='cpu', random_state=np.random.RandomState(SEED))
    _, pooling_seconds = timed(lambda: pooling.fit(train))
    pooling_mrr = sequence_mrr_score(pooling, test).mean()
    print(f'pooling ImplicitSequenceModel(n_iter=3): fit {pooling_seconds:.2f} s, '
          f'test MRR {pooling_mrr:.4f}')

    fit_part, valid_part = user_based_train_test_split(
        train_interactions, test_percentage=0.1, random_state=np.random.RandomState(SEED + 1000))
    nb['valid'] = valid_part.to_sequence()
    windows = fit_part.to_sequence(max_sequence_length=50).sequences
    gru = None
    for n_epochs in (1, 2, 3, 4):
        torch.manual_seed(SEED)
        gru = nb['GRURecommender'](train.num_items)
        _, seconds = timed(lambda: nb['train_next_item_model'](
            gru, windows, n_epochs=n_epochs, batch_size=128, learning_rate=2e-2, desc='GRU'))
        mrr = sequence_mrr_score(gru, test).mean()
        if mrr >= pooling_mrr:
            print(f'GRU reaches test MRR {mrr:.4f} >= {pooling_mrr:.4f} with {n_epochs} epoch(s), '
                  f'{seconds:.2f} s (validation included)')
            break
    ratio = seconds / pooling_seconds

    speedups = [evaluation_speedup(model, test) for model in (pooling, gru)]
    return ratio, min(speedups)


def notebook_runs(runs):
    seconds = []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(runs):
            command = [sys.executable, str(ROOT / 'scripts' / 'run_notebook.py'),
                       '--output', f'{scratch}/run.ipynb', '--results-dir', scratch]
            _, elapsed = timed(lambda: subprocess.run(command, check=True, cwd=ROOT,
                                                      stdout=subprocess.DEVNULL))
            seconds.append(elapsed)
            print(f'notebook run {run + 1}: {elapsed:.1f} s', flush=True)
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 ** 2
    return statistics.median(seconds), peak_gb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--notebook-runs', type=int, default=3)
    args = parser.parse_args(argv)
    nb = notebook_definitions(device=torch.device('cpu'), SEED=SEED)
    dataset = get_movielens_dataset('100K')
    print(f'torch threads: {torch.get_num_threads()}\n')
    rows = [('Bayesian MF time to RMSE 0.92 / explicit baseline fit', explicit_ratio(nb, dataset), '<= 1')]
    gru_ratio, speedup = implicit_ratio(nb, dataset)
    rows += [('GRU time to pooling MRR / pooling fit', gru_ratio, '<= 2'),
             ('per-row / batched sequence_mrr_score time (smaller of pooling, GRU)', speedup, '>= 50')]
    if args.notebook_runs:
        median, peak_gb = notebook_runs(args.notebook_runs)
        rows += [(f'notebook wall seconds (median of {args.notebook_runs})', median, '<= 60'),
                 ('notebook peak resident memory, GB', peak_gb, '<= 2')]
    print('\n| measure | value | target |\n|---|---|---|')
    for name, value, target in rows:
        print(f'| {name} | {value:.2f} | {target} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
