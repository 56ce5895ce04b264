"""
The grader's side of the hidden tests: each task's verdict, computed in the grader's own
process from the predictions the kernel exported (``grading.kernel.hidden``) and the
grading key (``grading.key``).

A verdict fails, with its reason, when the predictions are missing or malformed, were made
for another split than the run's (the notebook must draw its splits from ``SEED``), or miss
the task's bar. Scores no model reaches on this data (far below the best known test RMSE,
far above the best known MRR) fail too: such predictions were made with the test answers.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .kernel.hidden import CURVES_FILE, NEXT_ITEMS_FILE, RATINGS_FILE

MRR_GOAL = 0.04          # the handout's goal for the next-item model
RMSE_FLOOR = 0.80        # the best models reach 0.87 on this split (README); below 0.80: leaked answers
MRR_CEILING = 0.20       # the best models reach 0.085
CURVE_TOLERANCE = 0.02   # the last recorded test RMSE against the model's own


@dataclass(frozen=True)
class Verdict:
    """A task's outcome: ``passed``, and a sentence for the student's feedback."""

    passed: bool
    reason: str


def score_exports(folder, key):
    """
    Every autograded task's verdict, from the files exported into ``folder``.

    Parameters
    ----------
    folder: path
        Where the hidden tests exported the predictions.
    key: dict
        The grading key (``grading.key.load_key``).

    Returns
    -------
    dict
        ``{grade_id: Verdict}`` for the checks the exports grade.
    """
    folder = Path(folder)
    ratings = _ratings_verdicts(_load_npz(folder / RATINGS_FILE), key)
    next_items = _next_item_verdicts(_load_npz(folder / NEXT_ITEMS_FILE), key)
    curves = curves_verdict(_load_json(folder / CURVES_FILE), ratings.get('rmse_value'))
    return {'check_model_output': ratings['shape'],
            'check_training_curves': curves,
            'check_test_rmse': ratings['rmse'],
            'check_next_item_scores': next_items['shape'],
            'check_next_item_mrr': next_items['mrr']}


def _ratings_verdicts(export, key):
    if export is None:
        missing = Verdict(False, 'the hidden test exported no predictions of model(X_test): '
                                 'model(X) must run on the test rows')
        return {'shape': missing, 'rmse': missing}
    pairs, predictions = export.get('pairs'), export.get('predictions')
    if pairs is None or predictions is None or predictions.shape != (len(key['test_pairs']),):
        wrong = Verdict(False, f'model(X_test) must give one rating per test row ({len(key["test_pairs"])})')
        return {'shape': wrong, 'rmse': wrong}
    if not np.isfinite(predictions).all():
        wrong = Verdict(False, 'model(X_test) gave NaN or infinite ratings')
        return {'shape': wrong, 'rmse': wrong}
    shape = Verdict(True, f'model(X_test) gives one finite rating per test row ({len(predictions)})')
    if pairs.shape != key['test_pairs'].shape or not np.array_equal(pairs, key['test_pairs']):
        return {'shape': shape, 'rmse': Verdict(False, _other_split('X_test'))}
    rmse = float(np.sqrt(np.mean((predictions - key['test_ratings']) ** 2)))
    return {'shape': shape, 'rmse': rmse_verdict(rmse, key['baseline_rmse']), 'rmse_value': rmse}


def rmse_verdict(rmse, baseline_rmse):
    """
    Whether a test RMSE passes: below the spotlight baseline's, and not implausibly low.

    Returns
    -------
    Verdict
    """
    measured = f'test RMSE {rmse:.4f} on this run\'s test set (seed unseen by the student)'
    if rmse < RMSE_FLOOR:
        return Verdict(False, f'{measured} is below {RMSE_FLOOR}, which no model reaches on this split: '
                              'the predictions must not use the test ratings')
    if rmse >= baseline_rmse:
        return Verdict(False, f'{measured}: it must be below the spotlight baseline, {baseline_rmse:.4f}')
    return Verdict(True, f'{measured}, below the spotlight baseline, {baseline_rmse:.4f}')


def curves_verdict(curves, model_rmse):
    """
    Whether the recorded curves are the model's: their last test RMSE is the one measured.

    Returns
    -------
    Verdict
        Failed when there are no curves or no measured RMSE (``model_rmse`` None).
    """
    if curves is None:
        return Verdict(False, 'the hidden test exported no training curves: losses must hold '
                              "one {'train': rmse, 'test': rmse} per epoch")
    if model_rmse is None:
        return Verdict(False, 'the curves cannot be checked: the model gave no usable test predictions')
    last = curves[-1]['test'] if curves else float('nan')
    if not abs(last - model_rmse) <= CURVE_TOLERANCE:
        return Verdict(False, f"the last recorded test RMSE, {last:.4f}, is not the model's, "
                              f'{model_rmse:.4f}: record the RMSEs the model really has')
    return Verdict(True, f'{len(curves)} epochs recorded; the last test RMSE, {last:.4f}, is the model\'s')


def _next_item_verdicts(export, key):
    from spotlight_compat.evaluation import reciprocal_ranks

    expected = (len(key['test_sequences']), key['num_items'])
    if export is None:
        missing = Verdict(False, 'the hidden test exported no next-item scores: '
                                 'next_item_model.predict(sequence) must run on the test sequences')
        return {'shape': missing, 'mrr': missing}
    prefixes, scores = export.get('prefixes'), export.get('scores')
    if prefixes is None or scores is None or scores.shape != expected or np.isnan(scores).any():
        wrong = Verdict(False, f'next_item_model must give one score (not NaN) per item for every test '
                               f'sequence: shape {expected}')
        return {'shape': wrong, 'mrr': wrong}
    shape = Verdict(True, f'next_item_model scores every item for every test sequence ({expected[0]})')
    if not np.array_equal(prefixes, key['test_sequences'][:, :-1]):
        return {'shape': shape, 'mrr': Verdict(False, _other_split('test_seq'))}
    ranks = reciprocal_ranks(scores, prefixes, key['test_sequences'][:, -1], False)
    return {'shape': shape, 'mrr': mrr_verdict(float(np.mean(ranks)))}


def mrr_verdict(mrr):
    """
    Whether a next-item MRR passes: the handout's goal reached, and not implausibly high.

    Returns
    -------
    Verdict
    """
    measured = f'test MRR {mrr:.4f} on this run\'s test users (seed unseen by the student)'
    if mrr > MRR_CEILING:
        return Verdict(False, f'{measured} is above {MRR_CEILING}, which no model reaches on this split: '
                              'the scores must not use the test sequences\' last items')
    if mrr < MRR_GOAL:
        return Verdict(False, f'{measured}: the goal is {MRR_GOAL} or more')
    return Verdict(True, f'{measured}, at or above the goal, {MRR_GOAL}')


def _other_split(name):
    return (f'the predictions are for another {name} than this run\'s: keep the handout\'s split cells, '
            'which draw the splits from SEED')


def _load_npz(path):
    try:
        with np.load(path, allow_pickle=False) as saved:
            return {name: saved[name] for name in saved.files}
    except (OSError, ValueError, EOFError):
        return None


def _load_json(path):
    try:
        records = json.loads(Path(path).read_text())
        return [{'train': float(r['train']), 'test': float(r['test'])} for r in records]
    except (OSError, ValueError, TypeError, KeyError):
        return None
