"""recsys_models.results: the metrics of a run and the timer."""

import json

import numpy as np
import pytest

from recsys_models.results import Metrics, Timer


def test_metrics_record_replace_and_write(tmp_path):
    metrics = Metrics(seed=7)
    assert metrics.record('explicit', 'model A', 'RMSE', np.float32(0.9), train_seconds=1.234) == pytest.approx(0.9)
    metrics.record('explicit', 'model A', 'RMSE', 0.8)  # re-running a cell replaces its row
    metrics.record('implicit', 'model B', 'MRR', 0.05, 0.0)
    assert len(metrics.rows) == 2 and metrics.table('explicit').loc['model A', 'value'] == 0.8
    assert list(metrics.table().index) == ['model A', 'model B']
    metrics.write(tmp_path / 'sub' / 'metrics.json')
    rows = json.loads((tmp_path / 'sub' / 'metrics.json').read_text())
    assert rows[1] == dict(part='implicit', model='model B', metric='MRR', value=0.05, seed=7, train_seconds=0.0)
    assert [p.name for p in (tmp_path / 'sub').iterdir()] == ['metrics.json']  # no temporary file left


def test_metrics_refuse_nan_and_unknown_parts():
    metrics = Metrics(seed=0)
    with pytest.raises(ValueError, match='NaN'):
        metrics.record('explicit', 'broken', 'RMSE', float('nan'))
    with pytest.raises(ValueError, match="part 'implicit'"):
        metrics.table('implicit')


def test_timer_measures_the_block():
    with Timer() as timer:
        sum(range(1000))
    assert 0 <= timer.seconds < 5
