"""
The validation searches behind the notebook's Part 1 models: the Bayesian MF's dimension and
noise precision, the full-batch biased MF's dimension and L2 weight, the
Macau MF's features, prior precisions, likelihood, rank and sweeps, I-AutoRec's L2 weight
and epochs, and I-AutoRec's share of the Macau + I-AutoRec blend.

For each seed, 5% of the training ratings (``recsys_models.protocol.validation_ratings``) are held
out for validation; every setting is fitted on the rest and scored by validation RMSE. The
test ratings are never read. Prints, per setting, the validation RMSE per seed, their mean
and the mean fit seconds (wall and process CPU).

Usage::

    python -m benchmarks.search_explicit                    # every group, seeds 0-4
    python -m benchmarks.search_explicit --groups macau-lambda --seeds 0 1
"""

import argparse
import sys
import time
from itertools import product

import numpy as np

from recsys_models.autorec import AUTOREC, AutoRecRatings
from recsys_models.bayesian import BPMF, MACAU, BayesianMF, MacauMF
from recsys_models.blends import RatingBlend
from recsys_models.factorization import TUNED_CF, train_cf_full_batch
from recsys_models.features import item_side_features, user_side_features
from recsys_models.protocol import homework_ratings_split, validation_ratings
from spotlight_compat.datasets.movielens import (get_movielens_dataset, get_movielens_item_features,
                                                 get_movielens_user_features)
from spotlight_compat.evaluation import rmse_score

GAUSSIAN = dict(n_sweeps=200, ordinal=False)      # the Macau settings of the first rounds
WITHOUT = 1e9                                    # a prior precision that switches a block off
# group -> list of (label, fit(fit_ratings, valid_ratings, seed, side) -> model)
GROUPS = {
    'bpmf': [(f'Bayesian MF dim {dim}, alpha {alpha}',
              lambda fit, valid, seed, side, dim=dim, alpha=alpha:
              BayesianMF(**dict(BPMF, dim=dim, alpha=alpha),
                            random_state=np.random.RandomState(seed)).fit(fit))
             for dim, alpha in product((5, 10, 20), (1.25, 1.5, 2.0))],
    'cf': [(f'tuned CF dim {dim}, l2 {l2}',
            lambda fit, valid, seed, side, dim=dim, l2=l2:
            train_cf_full_batch(fit, valid, seed, **dict(TUNED_CF, embedding_size=dim, l2=l2)))
           for dim, l2 in product((32, 64), (0.08, 0.12, 0.16))],
}


def macau(label, **changes):
    """A Macau MF setting: ``MACAU`` with ``changes``."""
    def fit(fit_ratings, valid, seed, side):
        user_side, item_side = side
        return MacauMF(**dict(MACAU, **changes), seed=seed).fit(fit_ratings, user_side, item_side)
    return label, fit


GROUPS['macau-features'] = [
    macau('no features (Bayesian biased MF)', **GAUSSIAN, lambda_implicit=WITHOUT, lambda_side=WITHOUT),
    macau('who rated what only', **GAUSSIAN, lambda_implicit=10.0, lambda_side=WITHOUT),
    macau('side information only', **GAUSSIAN, lambda_implicit=WITHOUT, lambda_side=10.0),
    macau('both', **GAUSSIAN, lambda_implicit=10.0, lambda_side=10.0)]
GROUPS['macau-lambda'] = [macau(f'lambda implicit {li}, side {ls}', **GAUSSIAN, lambda_implicit=li, lambda_side=ls)
                          for li, ls in ((1, 1), (1, 10), (3, 1), (3, 10), (10, 1), (10, 10), (30, 1), (1, 0.3))]
GROUPS['macau-likelihood'] = [macau('count ** -1 scaling', **GAUSSIAN, implicit_power=1.0),
                              macau('Gaussian, 200 sweeps', **GAUSSIAN),
                              macau('ordinal, 200 sweeps', n_sweeps=200)]
GROUPS['macau-size'] = [macau('ordinal, rank 10, 140 sweeps (chosen)'),
                        macau('ordinal, rank 10, 400 sweeps', n_sweeps=400),
                        macau('ordinal, rank 15, 150 sweeps', rank=15, n_sweeps=150),
                        macau('ordinal, rank 20, 120 sweeps', rank=20, n_sweeps=120)]


def autorec(label, **changes):
    """An I-AutoRec setting: ``AUTOREC`` with ``changes``."""
    def fit(fit_ratings, valid, seed, side):
        return AutoRecRatings(**dict(AUTOREC, **changes), seed=seed).fit(fit_ratings)
    return label, fit


GROUPS['autorec'] = [autorec(f'I-AutoRec, l2 {l2}, {epochs} epochs', l2=l2, n_epochs=epochs)
                     for l2, epochs in ((10.0, 10), (10.0, 20), (100.0, 20), (10.0, 5))]


BLEND_PARTS = {}  # seed -> the (Macau MF, I-AutoRec) pair fitted on that seed's fit ratings


def blend(weight):
    """The chosen Macau MF and I-AutoRec (each fitted once per seed), I-AutoRec weighing
    ``weight``; the wall and CPU seconds of a seed's first setting include both fits."""
    def fit(fit_ratings, valid, seed, side):
        if seed not in BLEND_PARTS:
            BLEND_PARTS[seed] = (MacauMF(**MACAU, seed=seed).fit(fit_ratings, *side),
                                 AutoRecRatings(**AUTOREC, seed=seed).fit(fit_ratings))
        return RatingBlend(*BLEND_PARTS[seed], weight)
    return f'Macau MF + I-AutoRec, weight {weight}', fit


GROUPS['blend'] = [blend(weight) for weight in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)]


def main(argv=None):
    """Fit every setting of ``--groups`` for each of ``--seeds`` and print the table of validation
    RMSEs and fit seconds, one row per setting; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--groups', nargs='+', choices=list(GROUPS), default=list(GROUPS))
    args = parser.parse_args(argv)
    dataset = get_movielens_dataset('100K')
    side = (user_side_features(get_movielens_user_features()),
            item_side_features(get_movielens_item_features()))
    splits = [validation_ratings(homework_ratings_split(dataset, seed)[0], seed) for seed in args.seeds]
    print('| setting | ' + ' | '.join(f'seed {s}' for s in args.seeds)
          + ' | mean validation RMSE | wall s | CPU s |\n|---|' + '---|' * (len(args.seeds) + 3))
    for group in args.groups:
        for label, fit in GROUPS[group]:
            scores, walls, cpus = [], [], []
            for seed, (fit_ratings, valid) in zip(args.seeds, splits):
                wall, cpu = time.perf_counter(), time.process_time()
                model = fit(fit_ratings, valid, seed, side)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                scores.append(rmse_score(model, valid))
            print(f'| {label} | ' + ' | '.join(f'{s:.4f}' for s in scores)
                  + f' | {np.mean(scores):.4f} | {np.mean(walls):.1f} | {np.mean(cpus):.1f} |', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
