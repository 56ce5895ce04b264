"""
The verdicts the grader computes in its own process from the exported predictions
(grading.scoring), against a grading key made up here.
"""

import numpy as np
import pytest

from grading import scoring
from grading.kernel import hidden


def key(n_pairs=6, n_sequences=4, num_items=5, baseline=1.0):
    rng = np.random.RandomState(0)
    return {'seed': 7, 'test_pairs': np.column_stack((np.arange(n_pairs), np.arange(n_pairs) + 1)),
            'test_ratings': rng.randint(1, 6, n_pairs).astype(float), 'baseline_rmse': baseline,
            'test_sequences': rng.randint(1, num_items, (n_sequences, 3)), 'num_items': num_items}


def export(folder, name, **arrays):
    np.savez(folder / name, **arrays)


def test_rmse_is_computed_here_from_the_exported_predictions(tmp_path):
    grading_key = key()
    pairs, ratings = grading_key['test_pairs'], grading_key['test_ratings']
    export(tmp_path, hidden.RATINGS_FILE, pairs=pairs, predictions=ratings + 0.9)
    verdicts = scoring.score_exports(tmp_path, grading_key)
    assert verdicts['check_model_output'].passed and verdicts['check_test_rmse'].passed
    assert 'test RMSE 0.9000' in verdicts['check_test_rmse'].reason
    export(tmp_path, hidden.RATINGS_FILE, pairs=pairs, predictions=ratings + 1)
    verdict = scoring.score_exports(tmp_path, grading_key)['check_test_rmse']
    assert not verdict.passed and 'must be below the spotlight baseline, 1.0000' in verdict.reason


@pytest.mark.parametrize('change, passes_shape, reason', [
    (lambda k, p: (k['test_pairs'][::-1], p), True, 'another X_test'),
    (lambda k, p: (k['test_pairs'], p[:-1]), False, 'one rating per test row (6)'),
    (lambda k, p: (k['test_pairs'], np.where(np.arange(len(p)) == 2, np.nan, p)), False, 'NaN or infinite'),
    (lambda k, p: (k['test_pairs'], k['test_ratings']), True, 'no model reaches'),
])
def test_predictions_for_another_split_malformed_or_leaked_fail(tmp_path, change, passes_shape, reason):
    grading_key = key()
    pairs, predictions = change(grading_key, grading_key['test_ratings'] + 0.9)
    export(tmp_path, hidden.RATINGS_FILE, pairs=pairs, predictions=predictions)
    verdicts = scoring.score_exports(tmp_path, grading_key)
    assert verdicts['check_model_output'].passed is passes_shape
    assert not verdicts['check_test_rmse'].passed and reason in verdicts['check_test_rmse'].reason


def test_missing_exports_fail_every_task_with_a_reason(tmp_path):
    verdicts = scoring.score_exports(tmp_path, key())
    assert not any(verdict.passed for verdict in verdicts.values())
    assert 'exported no predictions' in verdicts['check_test_rmse'].reason
    assert 'no training curves' in verdicts['check_training_curves'].reason
    assert 'no next-item scores' in verdicts['check_next_item_mrr'].reason


def test_the_curves_must_end_at_the_models_own_test_rmse(tmp_path):
    curves = [{'train': 1.0, 'test': 1.0}, {'train': 0.9, 'test': 0.95}]
    assert scoring.curves_verdict(curves, 0.96).passed
    made_up = scoring.curves_verdict(curves, 3.7)
    assert not made_up.passed and "is not the model's, 3.7000" in made_up.reason
    assert not scoring.curves_verdict([], 0.95).passed
    assert not scoring.curves_verdict(curves, None).passed


def test_mrr_is_computed_here_from_the_exported_scores(tmp_path):
    grading_key = key()
    sequences = grading_key['test_sequences']
    scores = np.zeros((len(sequences), grading_key['num_items']), dtype=np.float32)
    scores[np.arange(len(sequences)), sequences[:, -1]] = 1  # every target ranked first: MRR 1
    export(tmp_path, hidden.NEXT_ITEMS_FILE, prefixes=sequences[:, :-1], scores=scores)
    verdicts = scoring.score_exports(tmp_path, grading_key)
    assert verdicts['check_next_item_scores'].passed
    leaked = verdicts['check_next_item_mrr']
    assert not leaked.passed and 'no model reaches' in leaked.reason
    assert scoring.mrr_verdict(0.05).passed and not scoring.mrr_verdict(0.039).passed
