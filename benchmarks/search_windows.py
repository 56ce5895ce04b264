"""
The validation comparison behind the notebook's training windows: each next-item network
trained on windows of 10 items (the test's format) one every 10 items (no overlap), one
every 5 (the notebook's ``recsys_models.protocol.training_windows``: half overlap) and on windows of 50 items, plus
a GRU with 64 dimensions instead of 128 and GRUs trained for fewer or more epochs (the
homework notebook's GRU is "GRU, 4 epochs" on windows without overlap).

For each seed, the training users are split again (``RandomState(seed + 1000)``) into fit
and validation users; every network is trained on the fit users with ``recsys_models``'
``fit_next_item_model`` and recipes, and scored by its best validation MRR over the
epochs (the one the notebook keeps). The test users are never read. Prints the mean over
seeds and the mean training time per setting, and with ``--out`` writes them, per seed, to
``OUT.json`` and as a table to ``OUT.md`` (``results/search_windows.*``).

Usage::

    python -m benchmarks.search_windows              # seeds 0-4
    python -m benchmarks.search_windows --networks GRU "GRU, 4 epochs" --out results/search_windows
"""

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from recsys_models.networks import CBOWRecommender, GRURecommender, TransformerRecommender
from recsys_models.protocol import WINDOW, WINDOW_STEP, fit_and_validation_users, training_users, training_windows
from recsys_models.report import validation_summary
from recsys_models.training import CBOW_RECIPE, GRU_RECIPE, TRANSFORMER_RECIPE, fit_next_item_model
from spotlight_compat.atomic import atomic_write_bytes

from .machine import load_averages
from .searches import scores_per_seed


# window (length, step) pairs: the test's format without overlap, the notebook's, long ones
WINDOWS = ((10, 10), (10, 5), (50, 50))
# name -> (network class, its recipe, changes to its model arguments,
#          changes to its training settings, windows)
NETWORKS = {
    'GRU': (GRURecommender, GRU_RECIPE, {}, {}, WINDOWS),
    'GRU, d=64': (GRURecommender, GRU_RECIPE, {'embedding_dim': 64}, {}, ((10, 5),)),
    'GRU, 4 epochs': (GRURecommender, GRU_RECIPE, {}, {'n_epochs': 4}, ((10, 10), (10, 5))),
    'GRU, 8 epochs': (GRURecommender, GRU_RECIPE, {}, {'n_epochs': 8}, ((10, 5),)),
    'CBOW': (CBOWRecommender, CBOW_RECIPE, {}, {}, WINDOWS),
    'Transformer': (TransformerRecommender, TRANSFORMER_RECIPE, {}, {}, WINDOWS),
}


def validation_scores(seed, dataset, networks=tuple(NETWORKS)):
    """Train each of ``networks`` on each of its windows with ``seed``'s fit users;
    {(name, (length, step)): (best validation MRR over the epochs, training seconds)}."""
    fit, valid = fit_and_validation_users(training_users(dataset, seed), seed)
    windows = {(length, step): fit.to_sequence(max_sequence_length=length, step_size=step).sequences
               for length, step in WINDOWS}
    assert np.array_equal(windows[(WINDOW, WINDOW_STEP)], training_windows(fit))
    scores = {}
    for name in networks:
        network, recipe, model_changes, training_changes, windows_used = NETWORKS[name]
        recipe = replace(recipe, model={**recipe.model, **model_changes}, **training_changes)
        for window in windows_used:
            start = time.perf_counter()
            _, history = fit_next_item_model(network, recipe, windows[window], valid, seed)
            scores[(name, window)] = (max(history['valid_mrr']), time.perf_counter() - start)
    return scores


def table(summary, seeds):
    """The markdown table of ``recsys_models.report.validation_summary``'s frame."""
    lines = [f'Validation MRR of the next-item networks, best epoch, mean ± sample std over seeds '
             f'{", ".join(map(str, seeds))}: `python -m benchmarks.search_windows`.', '',
             '| network | window length | one every | validation MRR | train s |', '|---|---|---|---|---|']
    for (name, length, step), row in summary.iterrows():
        lines.append(f"| {name} | {length} | {step} | {row['mean']:.4f} ± {row['std']:.4f} | {row['train s']:.1f} |")
    return '\n'.join(lines) + '\n'


def records(per_seed, seeds):
    """The scores as a list of records, one per seed and setting."""
    return [{'seed': seed, 'network': name, 'window': length, 'step': step, 'validation_mrr': mrr,
             'seconds': seconds}
            for seed, scores in zip(seeds, per_seed) for (name, (length, step)), (mrr, seconds) in scores.items()]


def main(argv=None):
    """Score ``--networks`` for each of ``--seeds``, print the table and, with ``--out``, write
    ``OUT.json`` and ``OUT.md``; returns 0."""
    per_seed, args = scores_per_seed(validation_scores, __doc__.split('\n\n')[0], argv, options={
        '--networks': dict(nargs='+', choices=list(NETWORKS), default=list(NETWORKS))},
        own_options={'--out': dict(help='write the scores per seed to OUT.json and the table to OUT.md')})
    found = records(per_seed, args.seeds)
    text = table(validation_summary(found), args.seeds)
    print('\n' + text)
    if args.out:
        load = load_averages()
        footer = (f'\nTorch threads: {torch.get_num_threads()}; load average (1, 5, 15 min) at the end of the '
                  f'run: {load}. The seconds compare the settings with each other, on one machine in one run.\n')
        atomic_write_bytes(Path(f'{args.out}.json'), json.dumps(found, indent=1).encode())
        atomic_write_bytes(Path(f'{args.out}.md'), (text + footer).encode())
    return 0


if __name__ == '__main__':
    sys.exit(main())
