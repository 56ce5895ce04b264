"""recsys_models.results: the metrics of a run, the timer and the best models of a benchmark."""

import json

import numpy as np
import pytest

from recsys_models.results import Metrics, Timer, best_models


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


def test_best_models_per_metric(tmp_path):
    rows = [dict(metric='RMSE', model=f'r{i}', mean=1 - i / 10, std=0.1, seeds=5) for i in range(5)]
    rows += [dict(metric='MRR', model=f'm{i}', mean=i / 100, std=0.01, seeds=5) for i in range(5)]
    rows += [dict(metric='MRR', model='m4, seen items ranked last', mean=0.9, std=0.01, seeds=5)]  # left out
    (tmp_path / 'benchmark.json').write_text(json.dumps({'seeds': [0], 'rows': rows}))
    best = best_models(tmp_path / 'benchmark.json', top=2)
    assert list(best.index) == [('RMSE', 'r4'), ('RMSE', 'r3'), ('MRR', 'm4'), ('MRR', 'm3')]
    with_answers = best_models(tmp_path / 'benchmark.json', answers=['r0', 'm1'], top=1)
    assert list(with_answers.index) == [('RMSE', 'r4'), ('RMSE', 'r0'), ('MRR', 'm4'), ('MRR', 'm1')]
    with pytest.raises(ValueError, match='no row for'):
        best_models(tmp_path / 'benchmark.json', answers=['absent'])
    with pytest.raises(FileNotFoundError, match='benchmarks/benchmark.py'):
        best_models(tmp_path / 'absent.json')
