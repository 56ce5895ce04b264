"""
The validation search behind the notebook's item-item models and blend weights: EASE's
penalty and recency decay, the sequential ridge's settings, the weights of EASE and the
ridge beside the GRU, the nearest contexts' neighbours, temperature and weight, and
alternatives that were tried and not kept (sequential rules, EASE on rating sessions, the
CBOW and transformer networks added to the blend).

For each seed, the training users are split again (``recsys_models.protocol.validation_users``) into
fit and validation users; every model is fitted on the fit users only and scored on the
validation users' rows. The test users are never read. Prints the validation MRR, plain and
with the seen items ranked last, mean over the seeds, per setting, and with ``--out``
writes them per seed to ``OUT.json`` and as a table to ``OUT.md`` (``results/search_blend.*``).

Usage::

    python -m benchmarks.search_blend --out results/search_blend    # seeds 0-4
    python -m benchmarks.search_blend --seeds 0 1
"""

import json
import sys
from itertools import product
from pathlib import Path

import numpy as np

from peers.models.sequential_rules import rules_scorer, sequential_rules
from recsys_models.blends import BLEND_WEIGHTS
from recsys_models.item_item import EASE, EASE_SETTINGS, SEQUENTIAL_RIDGE, SequentialRidge, session_ease
from recsys_models.neighbours import NEIGHBOUR_SETTINGS, ContextNeighbours
from recsys_models.networks import CBOWRecommender, GRURecommender, TransformerRecommender
from recsys_models.protocol import fit_and_validation_users, training_users, training_windows
from recsys_models.report import validation_summary
from recsys_models.training import CBOW_RECIPE, GRU_RECIPE, TRANSFORMER_RECIPE, fit_next_item_model
from spotlight_compat.atomic import atomic_write_bytes
from spotlight_compat.evaluation import reciprocal_ranks

from .searches import scores_per_seed

EASE_GRID = list(product((500.0, 1000.0, 2000.0), (0.5, 0.65, 0.8)))
RIDGE_CHANGES = ([dict(l2=l2) for l2 in (300.0, 3000.0)] + [dict(recency_decay=d) for d in (0.65, 0.9)]
                 + [dict(horizon=h) for h in (1, 3, 10)])
EASE_WEIGHTS = (0.0, 32.0, 64.0, 96.0)
RIDGE_WEIGHTS = (0.0, 40.0, 80.0, 120.0, 160.0)
RULES_WEIGHTS = (0.5, 1.0, 2.0)
SESSION_EASE_WEIGHTS = (32.0, 64.0)
NETWORK_WEIGHTS = (0.25, 0.5, 1.0)  # of a second network's log-probabilities in the blend
NEIGHBOUR_GRID = list(product((256, 1024, 4096), (0.05, 0.1)))  # (neighbours, temperature)
NEIGHBOUR_WEIGHTS = (0.25, 0.5, 1.0)


def validation_scores(seed, dataset):
    """Every setting's validation MRR (plain, seen items ranked last) on outer split ``seed``."""
    fit, valid = fit_and_validation_users(training_users(dataset, seed), seed)
    prefixes, targets = valid.sequences[:, :-1], valid.sequences[:, -1]

    def mrr(scores):
        return np.array([reciprocal_ranks(scores, prefixes, targets, exclude).mean() for exclude in (False, True)])

    scores = {('EASE', l2, decay): mrr(EASE(l2, decay).fit(fit).predict_sequences(prefixes))
              for l2, decay in EASE_GRID}
    gru, _ = fit_next_item_model(GRURecommender, GRU_RECIPE, training_windows(fit), valid, seed)
    parts = {'GRU': gru.log_probabilities(prefixes),
             'EASE': EASE(**EASE_SETTINGS).fit(fit).predict_sequences(prefixes)}
    for change in [{}] + RIDGE_CHANGES:
        ridge = SequentialRidge(**dict(SEQUENTIAL_RIDGE, **change)).fit(fit).predict_sequences(prefixes)
        scores[('sequential ridge', str(change or 'chosen'))] = mrr(ridge)
        parts.setdefault('ridge', ridge)
    for name in ('GRU', 'EASE'):
        scores[(name, 'alone')] = mrr(parts[name])
    for ease_weight, ridge_weight in product(EASE_WEIGHTS, RIDGE_WEIGHTS):
        scores[('GRU + EASE + ridge', ease_weight, ridge_weight)] = mrr(
            parts['GRU'] + ease_weight * parts['EASE'] + ridge_weight * parts['ridge'])
    chosen = parts['GRU'] + BLEND_WEIGHTS['ease'] * parts['EASE'] + BLEND_WEIGHTS['ridge'] * parts['ridge']
    neighbours = ContextNeighbours(gru, **NEIGHBOUR_SETTINGS).fit(fit)  # contexts stored once
    for count, temperature in NEIGHBOUR_GRID:
        neighbours.neighbours, neighbours.temperature = count, temperature
        votes = neighbours.predict_sequences(prefixes)
        scores[('nearest contexts', count, temperature, 'alone')] = mrr(votes)
        for weight in NEIGHBOUR_WEIGHTS:
            scores[('GRU + EASE + ridge + nearest contexts', count, temperature, weight)] = mrr(
                chosen + weight * votes)
    rules = rules_scorer(sequential_rules(fit, steps=10, weighting='div', pruning=0), 'div').predict_sequences(prefixes)
    rules = rules / np.maximum(rules.max(1, keepdims=True), 1e-9)  # a maximum of 1 per row
    sessions = session_ease(fit).predict_sequences(prefixes)
    scores[('sequential rules', 'alone')] = mrr(rules)
    scores[('session EASE', 'alone')] = mrr(sessions)
    for weight in RULES_WEIGHTS:
        scores[('GRU + EASE + ridge + sequential rules', weight)] = mrr(chosen + weight * rules)
    for weight in SESSION_EASE_WEIGHTS:
        scores[('GRU + EASE + ridge + session EASE', weight)] = mrr(chosen + weight * sessions)
    for name, network, recipe in (('CBOW', CBOWRecommender, CBOW_RECIPE),
                                  ('Transformer', TransformerRecommender, TRANSFORMER_RECIPE)):
        model, _ = fit_next_item_model(network, recipe, training_windows(fit), valid, seed)
        log_probabilities = model.log_probabilities(prefixes)
        for weight in NETWORK_WEIGHTS:
            scores[(f'GRU + EASE + ridge + {name}', weight)] = mrr(chosen + weight * log_probabilities)
    return scores


def records(per_seed, seeds):
    """The scores as a list of records, one per seed and setting."""
    return [{'seed': seed, 'setting': ' '.join(map(str, key)), 'validation_mrr': plain, 'seen_last': excluded}
            for seed, scores in zip(seeds, per_seed) for key, (plain, excluded) in scores.items()]


def table(summary, seeds):
    """The markdown table of ``recsys_models.report.validation_summary``'s frame."""
    lines = [f'Validation MRR of the item-item models and blends, mean ± sample std over seeds '
             f'{", ".join(map(str, seeds))}: `python -m benchmarks.search_blend`.', '',
             '| setting | validation MRR | seen items ranked last |', '|---|---|---|']
    for setting, row in summary.iterrows():
        lines.append(f"| {setting} | {row['mean']:.4f} ± {row['std']:.4f} | {row['seen last']:.4f} |")
    return '\n'.join(lines) + '\n'


def main(argv=None):
    """Run the search (see the module) and print its table; ``--out`` writes it."""
    per_seed, args = scores_per_seed(validation_scores, __doc__.split('\n\n')[0], argv, own_options={
        '--out': dict(help='write the scores per seed to OUT.json and the table to OUT.md')})
    found = records(per_seed, args.seeds)
    text = table(validation_summary(found), args.seeds)
    print('\n' + text)
    if args.out:
        atomic_write_bytes(Path(f'{args.out}.json'), json.dumps(found, indent=1).encode())
        atomic_write_bytes(Path(f'{args.out}.md'), text.encode())
    return 0


if __name__ == '__main__':
    sys.exit(main())
