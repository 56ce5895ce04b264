"""peers.registry and peers.scoring: every row's fit reads training data only; the scorer
interface, the clipped RMSE and the two MRRs; the RecBole adapter's scoped changes."""

import inspect
import logging

import numpy as np
import pytest

from peers.adapters import recbole
from peers.registry import ROWS, TUNED
from peers.scoring import SequenceScorer, clipped_rmse, mrr_plain_and_seen_last
from spotlight_compat.interactions import SequenceInteractions


def fit_parameters(fit):
    """The parameters a caller must give (those with a default are the peer's own settings)."""
    return [name for name, parameter in inspect.signature(fit).parameters.items()
            if parameter.default is inspect.Parameter.empty]


@pytest.mark.parametrize('name', list(ROWS))
def test_no_fit_function_is_given_the_test_split(name):
    row = ROWS[name]
    assert row.part in ('explicit', 'implicit')
    expected = ['train', 'seed', 'tuning', 'gru4rec_src'] if row.tuned else ['train', 'seed']
    assert fit_parameters(row.fit) == expected
    assert not any('test' in parameter for parameter in inspect.signature(row.fit).parameters)


def test_tuned_rows_are_the_implicit_rows_searched_with_our_budget():
    assert TUNED == ('gru4rec-official', 'sasrec-tuned')
    assert all(ROWS[name].part == 'implicit' for name in TUNED)
    assert [name for name, row in ROWS.items() if row.slow] == ['gru4rec', 'sasrec']


def test_clipped_rmse_clips_to_the_rating_scale():
    assert clipped_rmse(np.array([0.0, 6.0, 3.0]), np.array([1.0, 5.0, 4.0])) == pytest.approx(np.sqrt(1 / 3))


def test_mrr_plain_and_seen_last():
    # one test window: prefix (1, 2), target 3; the scorer likes the prefix's items best
    test = SequenceInteractions(np.array([[1, 2, 3]]), num_items=5)
    scorer = SequenceScorer(lambda prefixes: np.tile([0.0, 4.0, 3.0, 2.0, 1.0], (len(prefixes), 1)))
    assert mrr_plain_and_seen_last(scorer, test) == (pytest.approx(1 / 3), pytest.approx(1.0))
    assert scorer.predict(np.array([1, 2])).shape == (5,)


def test_recbole_adapter_changes_numpy_and_the_root_logger_only_inside_its_blocks():
    logger = logging.getLogger()
    before_level, before_aliases = logger.level, {a for a in ('float_', 'complex_', 'unicode_') if a in np.__dict__}
    with recbole.numpy2_aliases(), recbole.root_log_level(logging.ERROR):
        assert np.float_ is np.float64 and np.unicode_ is np.str_
        assert logger.level == logging.ERROR
    assert logger.level == before_level
    assert {a for a in ('float_', 'complex_', 'unicode_') if a in np.__dict__} == before_aliases
