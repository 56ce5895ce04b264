"""
The validation search behind the notebook's tuned rating models: the Bayesian MF's
dimension and noise precision alpha, and the full-batch CollaborativeFilteringModel's
dimension and L2 weight.

For each seed, 5% of the training ratings (the notebook's ``validation_ratings``) are held
out for validation; the model is fitted on the rest and scored by validation RMSE. The
test ratings are never read. Prints the mean validation RMSE over seeds per setting.

Usage::

    python benchmarks/search_explicit.py           # seeds 0-4
"""

import argparse
import sys
from itertools import product
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'scripts'))
from notebook_definitions import notebook_definitions  # noqa: E402

from spotlight_compat.cross_validation import random_train_test_split  # noqa: E402
from spotlight_compat.datasets.movielens import get_movielens_dataset  # noqa: E402
from spotlight_compat.evaluation import rmse_score  # noqa: E402

GRID = list(product((5, 10, 20), (1.25, 1.5, 2.0)))
CF_GRID = list(product((32, 64), (0.08, 0.12, 0.16)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    args = parser.parse_args(argv)
    nb = notebook_definitions('BayesianMF', 'BPMF', 'train_cf_full_batch', 'TUNED_CF',
                              'validation_ratings')
    dataset = get_movielens_dataset('100K')
    scores = {setting: [] for setting in GRID}
    cf_scores = {setting: [] for setting in CF_GRID}
    for seed in args.seeds:
        train, _ = random_train_test_split(dataset, random_state=np.random.RandomState(seed))
        fit, valid = nb.validation_ratings(train, seed)
        for dim, alpha in GRID:
            model = nb.BayesianMF(**dict(nb.BPMF, dim=dim, alpha=alpha),
                                  random_state=np.random.RandomState(seed))
            scores[(dim, alpha)].append(rmse_score(model.fit(fit), valid))
        for dim, l2 in CF_GRID:
            model = nb.train_cf_full_batch(fit, valid, seed, torch.device('cpu'),
                                           **dict(nb.TUNED_CF, embedding_size=dim, l2=l2))
            cf_scores[(dim, l2)].append(rmse_score(model, valid))
    print('| Bayesian MF dim | alpha | validation RMSE (mean over seeds) |\n|---|---|---|')
    for (dim, alpha), values in scores.items():
        print(f'| {dim} | {alpha} | {np.mean(values):.4f} |')
    print('\n| CF dim | l2 | validation RMSE (mean over seeds, best step) |\n|---|---|---|')
    for (dim, l2), values in cf_scores.items():
        print(f'| {dim} | {l2} | {np.mean(values):.4f} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
