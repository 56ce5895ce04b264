"""
The validation comparison behind the notebook's training windows: each next-item network
trained on windows of 10 items (the test's format) and of 50, plus a GRU with 64
dimensions instead of 128.

For each seed, the training users are split again (``RandomState(seed + 1000)``) into fit
and validation users; every network is trained on the fit users with the notebook's
``train_next_item_model`` and settings, and scored by its best validation MRR over the
epochs (the one the notebook keeps). The test users are never read. Prints the mean over
seeds and the mean training time per setting.

Usage::

    python benchmarks/search_windows.py              # seeds 0-4
"""

import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_code import notebook_definitions, silent_progress  # noqa: E402
from validation_users import fit_and_validation_users, scores_per_seed, training_users  # noqa: E402


# (network, constructor arguments, training arguments as in the notebook, window lengths)
NETWORKS = {
    'GRU': ('GRURecommender', {}, {'n_epochs': 4, 'batch_size': 128, 'learning_rate': 2e-2},
            (10, 50)),
    'GRU, d=64': ('GRURecommender', {'embedding_dim': 64},
                  {'n_epochs': 4, 'batch_size': 128, 'learning_rate': 2e-2}, (10,)),
    'CBOW': ('CBOWRecommender', {}, {'n_epochs': 4, 'batch_size': 256, 'learning_rate': 3e-2},
             (10, 50)),
    'Transformer': ('TransformerRecommender', {},
                    {'n_epochs': 6, 'batch_size': 256, 'learning_rate': 3e-2}, (10, 50)),
}


def validation_scores(seed, dataset):
    nb = notebook_definitions(device=torch.device('cpu'), SEED=seed, progress=silent_progress)
    fit, nb['valid'] = fit_and_validation_users(training_users(dataset, seed), seed)
    windows = {length: fit.to_sequence(max_sequence_length=length).sequences for length in (10, 50)}
    scores = {}
    for name, (network, arguments, training, lengths) in NETWORKS.items():
        for length in lengths:
            torch.manual_seed(seed)
            model = nb[network](dataset.num_items, **arguments)
            start = time.perf_counter()
            history = nb['train_next_item_model'](model, windows[length], desc=name, **training)
            scores[(name, length)] = (max(history['valid_mrr']), time.perf_counter() - start)
    return scores


def main(argv=None):
    per_seed = scores_per_seed(validation_scores, __doc__.split('\n\n')[0], argv)
    print('\n| network | window | validation MRR (mean over seeds) | train s |\n|---|---|---|---|')
    for name, length in per_seed[0]:
        mrr, seconds = np.mean([s[(name, length)] for s in per_seed], axis=0)
        print(f'| {name} | {length} | {mrr:.4f} | {seconds:.1f} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
