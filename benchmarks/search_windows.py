"""
The validation comparison behind the notebook's training windows: each next-item network
trained on windows of 10 items (the test's format) one every 10 items (no overlap), one
every 5 (the notebook's ``recsys_models.protocol.training_windows``: half overlap) and on windows of 50 items, plus
a GRU with 64 dimensions instead of 128 and GRUs trained for fewer or more epochs.

For each seed, the training users are split again (``RandomState(seed + 1000)``) into fit
and validation users; every network is trained on the fit users with ``recsys_models``'
``fit_next_item_model`` and recipes, and scored by its best validation MRR over the
epochs (the one the notebook keeps). The test users are never read. Prints the mean over
seeds and the mean training time per setting.

Usage::

    python benchmarks/search_windows.py              # seeds 0-4
    python benchmarks/search_windows.py --networks GRU "GRU, 4 epochs" "GRU, 8 epochs"
"""

import sys
import time
from dataclasses import replace

import numpy as np
from validation_users import fit_and_validation_users, scores_per_seed, training_users

from recsys_models.networks import CBOWRecommender, GRURecommender, TransformerRecommender
from recsys_models.protocol import WINDOW, WINDOW_STEP, training_windows
from recsys_models.training import CBOW_RECIPE, GRU_RECIPE, TRANSFORMER_RECIPE, fit_next_item_model


# window (length, step) pairs: the test's format without overlap, the notebook's, long ones
WINDOWS = ((10, 10), (10, 5), (50, 50))
# name -> (network class, its recipe, changes to its model arguments,
#          changes to its training settings, windows)
NETWORKS = {
    'GRU': (GRURecommender, GRU_RECIPE, {}, {}, WINDOWS),
    'GRU, d=64': (GRURecommender, GRU_RECIPE, {'embedding_dim': 64}, {}, ((10, 5),)),
    'GRU, 4 epochs': (GRURecommender, GRU_RECIPE, {}, {'n_epochs': 4}, ((10, 5),)),
    'GRU, 8 epochs': (GRURecommender, GRU_RECIPE, {}, {'n_epochs': 8}, ((10, 5),)),
    'CBOW': (CBOWRecommender, CBOW_RECIPE, {}, {}, WINDOWS),
    'Transformer': (TransformerRecommender, TRANSFORMER_RECIPE, {}, {}, WINDOWS),
}


def validation_scores(seed, dataset, networks=tuple(NETWORKS)):
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


def main(argv=None):
    per_seed = scores_per_seed(validation_scores, __doc__.split('\n\n')[0], argv, options={
        '--networks': dict(nargs='+', choices=list(NETWORKS), default=list(NETWORKS))})
    print('\n| network | window length | one every | validation MRR (mean over seeds) | train s |\n'
          '|---|---|---|---|---|')
    for name, (length, step) in per_seed[0]:
        mrr, seconds = np.mean([s[(name, (length, step))] for s in per_seed], axis=0)
        print(f'| {name} | {length} | {step} | {mrr:.4f} | {seconds:.1f} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
