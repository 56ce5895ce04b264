"""recsys_models.report and recsys_models.plots: the best models of a benchmark, the validation
searches' summaries (mean and sample std over seeds) and the training curves."""

import importlib
import json

import matplotlib
import numpy as np
import pytest

from recsys_models import report
from recsys_models.plots import plot_training
from tests.helpers import ROOT

matplotlib.use('Agg')


def test_plot_training_draws_one_line_per_network_and_the_baseline():
    history = {'loss': [3.0, 2.5], 'valid_mrr': [0.05, 0.06]}
    figure = plot_training({'a': history, 'b': history}, baseline_mrr=0.04)
    loss_axis, mrr_axis = figure.axes
    assert len(loss_axis.lines) == 2 and len(mrr_axis.lines) == 3
    np.testing.assert_array_equal(mrr_axis.lines[0].get_ydata(), [0.05, 0.06])


def test_best_models_per_metric(tmp_path):
    rows = [dict(metric='RMSE', model=f'r{i}', mean=1 - i / 10, std=0.1, seeds=5) for i in range(5)]
    rows += [dict(metric='MRR', model=f'm{i}', mean=i / 100, std=0.01, seeds=5) for i in range(5)]
    rows += [dict(metric='MRR', model='m4, seen items ranked last', mean=0.9, std=0.01, seeds=5)]  # left out
    (tmp_path / 'benchmark.json').write_text(json.dumps({'seeds': [0], 'rows': rows}))
    best = report.best_models(tmp_path / 'benchmark.json', top=2)
    assert list(best.index) == [('RMSE', 'r4'), ('RMSE', 'r3'), ('MRR', 'm4'), ('MRR', 'm3')]
    with_answers = report.best_models(tmp_path / 'benchmark.json', answers=['r0', 'm1'], top=1)
    assert list(with_answers.index) == [('RMSE', 'r4'), ('RMSE', 'r0'), ('MRR', 'm4'), ('MRR', 'm1')]
    with pytest.raises(ValueError, match='no row for'):
        report.best_models(tmp_path / 'benchmark.json', answers=['absent'])
    with pytest.raises(FileNotFoundError, match='benchmarks.benchmark'):
        report.best_models(tmp_path / 'absent.json')


SEARCH = [dict(seed=0, network='GRU', window=10, step=10, validation_mrr=0.07, seconds=3.0),
          dict(seed=0, network='GRU', window=10, step=5, validation_mrr=0.06, seconds=5.0),
          dict(seed=1, network='GRU', window=10, step=10, validation_mrr=0.08, seconds=4.0),
          dict(seed=1, network='GRU', window=10, step=5, validation_mrr=0.05, seconds=6.0)]


def test_validation_summary_keeps_the_settings_order_and_averages_over_the_seeds():
    summary = report.validation_summary(SEARCH)
    assert list(summary.index) == [('GRU', 10, 10), ('GRU', 10, 5)]
    assert summary.loc[('GRU', 10, 10), 'mean'] == pytest.approx(0.075)
    assert summary.loc[('GRU', 10, 5), 'std'] == pytest.approx(np.std([0.06, 0.05], ddof=1))  # sample std
    assert summary.loc[('GRU', 10, 5), 'train s'] == pytest.approx(5.5)
    assert set(summary.seeds) == {2}


def test_validation_summary_rejects_what_is_not_a_search_result(tmp_path):
    with pytest.raises(ValueError, match='validation_mrr'):
        report.validation_summary([dict(seed=0, network='GRU', mrr=0.1, seconds=1.0)])
    with pytest.raises(FileNotFoundError, match='search script'):
        report.load_search(tmp_path / 'absent.json')


@pytest.mark.parametrize('search', ['search_windows', 'search_blend'])
def test_the_committed_search_tables_are_the_ones_their_results_give(search):
    """results/search_*.md are regenerated from results/search_*.json, as the README tables are."""
    script = importlib.import_module(f'benchmarks.{search}')
    records = report.load_search(ROOT / 'results' / f'{search}.json')
    seeds = sorted({record['seed'] for record in records})
    table = script.table(report.validation_summary(records), seeds)
    assert (ROOT / 'results' / f'{search}.md').read_text().startswith(table)


