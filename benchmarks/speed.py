"""
Speed checks, measured side by side in one run (seed 0 unless told, this machine):

1. time for the Bayesian MF to reach test RMSE <= 0.92, over the fit time of
   ``ExplicitFactorizationModel(n_iter=3)`` (target: ratio <= 1);
2. time for the GRU to reach the pooling baseline's test MRR, over the pooling
   model's fit time (target: ratio <= 2). The GRU is ``recsys_models``' network and
   training function with a recipe for a short budget (``FAST_GRU``, ``FAST_TRAINING``),
   trained afresh on growing budgets until one reaches the baseline; the chosen recipe
   (``GRU_RECIPE``: six epochs, for the best MRR) is timed too, for comparison;
3. batched ``sequence_mrr_score`` against the per-row loop on the test
   sequences: the same MRR (1e-6) and the speed-up (target: >= 50x);
4. each notebook, headless: median wall time of several runs and the peak resident memory
   of the largest process of those runs, the kernel (Linux's ``ru_maxrss`` of the
   children; targets: homework <= 25 s, the second notebook <= 40 s, <= 2 GB).

With notebook runs, the table is also written to ``results/speed.md``.

Usage::

    python -m benchmarks.speed                   # everything, 3 notebook runs
    python -m benchmarks.speed --notebook-runs 0 # skip the notebook runs
    python -m benchmarks.speed --notebook-runs 0 --seed 3  # the ratios on another split
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

from recsys_models.bayesian import BPMF, BayesianMF
from recsys_models.networks import GRURecommender
from recsys_models.protocol import (evaluation_sequences, fit_and_validation_users, homework_ratings_split,
                                   homework_user_split, training_windows)
from recsys_models.training import GRU_RECIPE, Recipe, fit_next_item_model
from spotlight_compat.atomic import atomic_write_bytes
from spotlight_compat.datasets.movielens import get_movielens_dataset
from spotlight_compat.evaluation import rmse_score, sequence_mrr_score
from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
from spotlight_compat.sequence.implicit import ImplicitSequenceModel

from .machine import ROOT, load_average, machine_line

NOTEBOOK_BUDGETS = {'recsys_homework.ipynb': 25, 'beyond_the_homework.ipynb': 40}  # seconds
# The time-to-baseline run: a smaller GRU without dropout, small batches, a short budget.
FAST_GRU = {'embedding_dim': 64, 'dropout': 0.0}
FAST_TRAINING = {'batch_size': 64, 'learning_rate': 3e-2}  # with as many epochs as the budget
BUDGETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2, 3, 4)


def timed(function):
    """``function()``'s value and the wall seconds it took."""
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def median_seconds(function, repeats=3):
    """The value of the last call and the median wall time of ``repeats`` calls."""
    runs = [timed(function) for _ in range(repeats)]
    return runs[-1][0], statistics.median(seconds for _, seconds in runs)


class RowByRow:
    """Hides a model's batched scoring so the evaluation loops over rows."""

    def __init__(self, model):
        self.predict = model.predict


def evaluation_speedup(model, test, repeats=5):
    """
    Per-row time (one run) over batched time (median of ``repeats``) of
    sequence_mrr_score; the model's batched scoring alone is timed too. The MRRs must
    agree within 1e-6; single rows may differ where two items' float32 scores are within
    one rounding step of each other, since a one-row matrix product may round differently.
    """
    batched = sequence_mrr_score(model, test)  # warm-up
    batched_seconds = statistics.median(timed(lambda: sequence_mrr_score(model, test))[1]
                                        for _ in range(repeats))
    prefixes = test.sequences[:, :-1]
    scoring_seconds = statistics.median(timed(lambda: model.predict_sequences(prefixes))[1]
                                        for _ in range(repeats))
    per_row, per_row_seconds = timed(lambda: sequence_mrr_score(RowByRow(model), test))
    rows_differing = int(np.sum(batched != per_row))
    print(f'sequence_mrr_score, {type(model).__name__}, {len(test.sequences)} test rows: batched '
          f'{batched_seconds * 1000:.1f} ms (the model\'s scoring alone {scoring_seconds * 1000:.1f} ms), '
          f'per row {per_row_seconds * 1000:.0f} ms ({per_row_seconds / batched_seconds:.0f}x); '
          f'MRR {batched.mean():.6f} against '
          f'{per_row.mean():.6f}, {rows_differing} row(s) differ by up to '
          f'{np.abs(batched - per_row).max():.1e}')
    assert abs(batched.mean() - per_row.mean()) <= 1e-6
    return per_row_seconds / batched_seconds


def explicit_ratio(dataset, seed):
    """Seconds for the Bayesian MF to reach test RMSE <= 0.92 over the fit seconds of
    ``ExplicitFactorizationModel(n_iter=3)`` (medians of 3); ``inf`` if 60 sweeps do not reach it."""
    train, test = homework_ratings_split(dataset, seed)
    ExplicitFactorizationModel(n_iter=1, device='cpu').fit(train)  # warm-up: first torch calls

    def fit_baseline():
        model = ExplicitFactorizationModel(n_iter=3, device='cpu', random_state=np.random.RandomState(seed))
        model.fit(train)
        return model

    baseline, baseline_seconds = median_seconds(fit_baseline)
    print(f'ExplicitFactorizationModel(n_iter=3): fit {baseline_seconds:.2f} s (median of 3), '
          f'test RMSE {rmse_score(baseline, test):.4f}')
    for n_iter in (15, 20, 25, 30, 40, 60):  # burn-in is 10 sweeps
        def fit_bayesian_mf():
            model = BayesianMF(**dict(BPMF, n_iter=n_iter), random_state=np.random.RandomState(seed))
            model.fit(train)
            return model

        rmse = rmse_score(fit_bayesian_mf(), test)
        if rmse <= 0.92:
            _, seconds = median_seconds(fit_bayesian_mf)
            print(f'Bayesian MF reaches test RMSE {rmse:.4f} <= 0.92 after {n_iter} sweeps, '
                  f'{seconds:.2f} s (median of 3)')
            return seconds / baseline_seconds
    print('Bayesian MF did not reach 0.92 within 60 sweeps')
    return float('inf')


def gru_time_to_mrr(windows, valid, test, target, seed):
    """
    Train the GRU on growing budgets (epochs; fractions take the first part of
    a shuffled epoch), each a fresh run with its own learning-rate schedule, until the test
    MRR reaches ``target``. Returns the budget, its median training time and the MRR.
    """
    windows = windows[np.random.RandomState(seed).permutation(len(windows))]

    def train(budget):
        recipe = Recipe(FAST_GRU, n_epochs=max(1, int(budget)), **FAST_TRAINING)
        gru, _ = fit_next_item_model(GRURecommender, recipe, windows[:round(len(windows) * min(budget, 1))],
                                     valid, seed)
        return gru

    for budget in BUDGETS:
        mrr = sequence_mrr_score(train(budget), test).mean()
        if mrr >= target:
            _, seconds = median_seconds(lambda: train(budget))
            return budget, seconds, mrr
    return None, float('inf'), mrr


def implicit_ratio(dataset, seed):
    """The GRU's time to the pooling baseline's test MRR over the pooling model's fit time, and
    {'pooling': speed-up, 'GRU': speed-up} of batched ``sequence_mrr_score`` (``evaluation_speedup``)."""
    train_interactions, test_interactions = homework_user_split(dataset, seed)
    train, test = evaluation_sequences(train_interactions), evaluation_sequences(test_interactions)

    def fit_pooling():
        model = ImplicitSequenceModel(n_iter=3, representation='pooling', loss='pointwise',
                                      device='cpu', random_state=np.random.RandomState(seed))
        model.fit(train)
        return model

    pooling, pooling_seconds = median_seconds(fit_pooling)
    pooling_mrr = sequence_mrr_score(pooling, test).mean()
    print(f'pooling ImplicitSequenceModel(n_iter=3): fit {pooling_seconds:.2f} s (median of 3), '
          f'test MRR {pooling_mrr:.4f}')

    fit_part, valid = fit_and_validation_users(train_interactions, seed)
    windows = training_windows(fit_part)
    budget, seconds, mrr = gru_time_to_mrr(windows, valid, test, pooling_mrr, seed)
    if budget is None:
        print(f'GRU {FAST_GRU}, {FAST_TRAINING}: the baseline MRR is not reached within '
              f'{BUDGETS[-1]} epochs (test MRR {mrr:.4f})')
    else:
        print(f'GRU {FAST_GRU}, {FAST_TRAINING}: test MRR {mrr:.4f} after {budget} epoch(s), '
              f'{seconds:.2f} s (median of 3, validation included)')

    (gru, _), notebook_seconds = timed(lambda: fit_next_item_model(GRURecommender, GRU_RECIPE, windows, valid, seed))
    print(f'GRU with the chosen recipe, {GRU_RECIPE}: {notebook_seconds:.2f} s (one run), '
          f'test MRR {sequence_mrr_score(gru, test).mean():.4f}')

    speedups = {name: evaluation_speedup(model, test) for name, model in (('pooling', pooling), ('GRU', gru))}
    return seconds / pooling_seconds, speedups


def notebook_runs(notebook, runs, seed):
    """The median wall time of ``runs`` headless runs of ``notebook`` (kernel start included)."""
    seconds = []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(runs):
            command = [sys.executable, str(ROOT / 'scripts' / 'run_notebook.py'), str(ROOT / notebook),
                       '--output', f'{scratch}/run.ipynb', '--results-dir', scratch, '--seed', str(seed)]
            _, elapsed = timed(lambda: subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                                                      stderr=subprocess.DEVNULL))
            seconds.append(elapsed)
            print(f'{notebook} run {run + 1}: {elapsed:.1f} s', flush=True)
    return statistics.median(seconds)


def main(argv=None):
    """Run every speed check, print the table and, with notebook runs, write ``results/speed.md``;
    returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--notebook-runs', type=int, default=3)
    parser.add_argument('--seed', type=int, default=0, help='seed of the splits and models')
    args = parser.parse_args(argv)
    load_start = load_average()
    seed = args.seed
    dataset = get_movielens_dataset('100K')
    print(f'torch threads: {torch.get_num_threads()}\n')
    rows = [('Bayesian MF time to RMSE 0.92 / explicit baseline fit', explicit_ratio(dataset, seed), '<= 1')]
    gru_ratio, speedups = implicit_ratio(dataset, seed)
    rows.append(('GRU time to pooling MRR / pooling fit', gru_ratio, '<= 2'))
    rows += [(f'per-row / batched sequence_mrr_score time, {name}', speedup, '>= 50')
             for name, speedup in speedups.items()]
    if args.notebook_runs:
        for notebook, budget in NOTEBOOK_BUDGETS.items():
            rows.append((f'{notebook} wall seconds (median of {args.notebook_runs})',
                         notebook_runs(notebook, args.notebook_runs, seed), f'<= {budget}'))
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 ** 2
        rows.append(('notebook peak resident memory (largest process), GB', peak_gb, '<= 2'))
    table = '\n'.join(['| measure | value | target |', '|---|---|---|']
                      + [f'| {name} | {value:.2f} | {target} |' for name, value, target in rows])
    print('\n' + table)
    if args.notebook_runs:
        header = (f'`python -m benchmarks.speed --seed {seed}` on {machine_line(load_start)}; torch with '
                  f'{torch.get_num_threads()} threads; '
                  f'one run, every ratio measured within it.\n\n')
        atomic_write_bytes(ROOT / 'results' / 'speed.md', (header + table + '\n').encode('utf-8'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
