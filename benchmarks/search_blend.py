"""
The validation search behind the notebook's EASE settings and GRU + EASE blend weight.

For each seed, the training users are split again (``RandomState(seed + 1000)``) into
fit and validation users (the notebook's ``validation_users``); EASE and the GRU are fitted on the fit users only, and every
setting is scored by the validation MRR with the prefix excluded. The test users are
never read. Prints the mean validation MRR over seeds per setting.

Usage::

    python benchmarks/search_blend.py              # seeds 0-4
"""

import sys
from itertools import product
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validation_users import fit_and_validation_users, scores_per_seed, training_users  # noqa: E402

from spotlight_compat.evaluation import sequence_mrr_score  # noqa: E402

EASE_GRID = list(product((500.0, 1000.0, 2000.0), (0.5, 0.65, 0.8)))
BLEND_WEIGHTS = (16.0, 32.0, 64.0, 128.0)


def validation_scores(nb, seed, dataset):
    fit, valid = fit_and_validation_users(nb, training_users(dataset, seed), seed)

    def score(model):
        return sequence_mrr_score(model, valid, exclude_preceding=True).mean()

    scores = {('EASE', l2, decay): score(nb.EASE(l2, decay).fit(fit)) for l2, decay in EASE_GRID}
    gru, _ = nb.fit_next_item_model(nb.GRURecommender, nb.GRU_RECIPE,
                                    fit.to_sequence(max_sequence_length=nb.WINDOW).sequences,
                                    valid, seed, torch.device('cpu'))
    ease = nb.EASE(**nb.EASE_SETTINGS).fit(fit)
    scores[('GRU',)] = score(gru)
    for weight in BLEND_WEIGHTS:
        scores[('GRU + EASE', weight)] = score(nb.ScoreBlend(gru, ease, weight))
    return scores


def main(argv=None):
    per_seed = scores_per_seed(validation_scores, __doc__.split('\n\n')[0], argv)
    print('\n| setting | validation MRR, seen excluded (mean over seeds) |\n|---|---|')
    for key in per_seed[0]:
        print(f"| {' '.join(map(str, key))} | {np.mean([s[key] for s in per_seed]):.4f} |")
    return 0


if __name__ == '__main__':
    sys.exit(main())
