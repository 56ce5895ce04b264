"""recsys_models.report and recsys_models.plots: the comparison tables and the training curves."""

import json

import matplotlib
import numpy as np
import pytest

from recsys_models import report
from recsys_models.plots import plot_training
from tests.helpers import ROOT

matplotlib.use('Agg')

BENCHMARK = {'seeds': [0, 1], 'rows': [
    dict(metric='RMSE', model='ours', values=[0.9, 0.8], train_seconds_mean=2.0),
    dict(metric='MRR', model='GRU', values=[0.06, 0.08], train_seconds_mean=10.0),
    dict(metric='MRR', model='GRU, seen items ranked last', values=[0.07, 0.09], train_seconds_mean=10.0)]}
PEERS = {'seeds': ['0', '1'], 'runs': [], 'rows': {
    'fm': dict(part='explicit', label='FM', library='myfm', version='1', per_seed={
        '0': dict(rmse=0.7, fit_s=3.0), '1': dict(error='crashed')}),
    'sr': dict(part='implicit', label='SR', library='numpy', version='2', per_seed={
        '0': dict(mrr=0.1, mrr_seen_last=0.2, fit_s=1.0), '1': dict(mrr=0.1, mrr_seen_last=0.2, fit_s=1.0)})}}


def test_comparison_rows_put_the_best_first_and_pair_the_seen_last_rows():
    rows = report.comparison_rows(BENCHMARK, PEERS)
    assert [row['label'] for row in rows['RMSE']] == ['FM (seed 0 only)', 'ours']
    assert [row['label'] for row in rows['MRR']] == ['SR', 'GRU']
    assert rows['MRR'][1]['seen_last'] == [0.07, 0.09] and rows['RMSE'][0]['seen_last'] is None


def test_comparison_table_reads_the_result_files(tmp_path):
    (tmp_path / 'benchmark.json').write_text(json.dumps(BENCHMARK))
    (tmp_path / 'peers.json').write_text(json.dumps(PEERS))
    table = report.comparison_table(tmp_path / 'benchmark.json', tmp_path / 'peers.json', 'MRR')
    assert list(table.index) == ['SR', 'GRU']
    assert table.loc['GRU', 'mean'] == pytest.approx(0.07) and table.loc['GRU', 'seen last'] == pytest.approx(0.08)
    without_peers = report.comparison_table(tmp_path / 'benchmark.json', tmp_path / 'absent.json', 'RMSE')
    assert list(without_peers.index) == ['ours']
    with pytest.raises(ValueError, match='RMSE'):
        report.comparison_table(tmp_path / 'benchmark.json', None, 'NDCG')


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
    with pytest.raises(FileNotFoundError, match='benchmarks/benchmark.py'):
        report.best_models(tmp_path / 'absent.json')


SEARCH = [dict(seed=0, network='GRU', window=10, step=10, validation_mrr=0.07, seconds=3.0),
          dict(seed=0, network='GRU', window=10, step=5, validation_mrr=0.06, seconds=5.0),
          dict(seed=1, network='GRU', window=10, step=10, validation_mrr=0.08, seconds=4.0),
          dict(seed=1, network='GRU', window=10, step=5, validation_mrr=0.05, seconds=6.0)]


def test_validation_summary_keeps_the_settings_order_and_averages_over_the_seeds():
    summary = report.validation_summary(SEARCH)
    assert list(summary.index) == [('GRU', 10, 10), ('GRU', 10, 5)]
    assert summary.loc[('GRU', 10, 10), 'mean'] == pytest.approx(0.075)
    assert summary.loc[('GRU', 10, 5), 'std'] == pytest.approx(0.005)  # population std
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
    script = __import__(search)
    records = report.load_search(ROOT / 'results' / f'{search}.json')
    seeds = sorted({record['seed'] for record in records})
    table = script.table(report.validation_summary(records), seeds)
    assert (ROOT / 'results' / f'{search}.md').read_text().startswith(table)


def test_against_tuned_peers_sets_our_best_single_model_beside_the_best_tuned_peer(tmp_path):
    benchmark = {'seeds': [0, 1], 'rows': [
        *BENCHMARK['rows'],
        dict(metric='MRR', model='GRU + EASE', values=[0.09, 0.10], train_seconds_mean=11.0),
        dict(metric='MRR', model='ridge', values=[0.05, 0.04], train_seconds_mean=1.0)]}
    peers = {'seeds': [0, 1], 'runs': [], 'rows': {
        **PEERS['rows'],  # an untuned peer better than every tuned one: not the one compared
        'sasrec-tuned': dict(part='implicit', label='SASRec tuned', library='torch', version='2',
                             per_seed={'0': dict(mrr=0.05, mrr_seen_last=0.1, fit_s=1.0),
                                       '1': dict(mrr=0.085, mrr_seen_last=0.1, fit_s=1.0)}),
        'gru4rec-official': dict(part='implicit', label='GRU4Rec', library='g', version='c',
                                 per_seed={'0': dict(mrr=0.04, mrr_seen_last=0.1, fit_s=1.0),
                                           '1': dict(error='crashed')})}}
    (tmp_path / 'benchmark.json').write_text(json.dumps(benchmark))
    (tmp_path / 'peers.json').write_text(json.dumps(peers))
    table = report.against_tuned_peers(tmp_path / 'benchmark.json', tmp_path / 'peers.json')
    assert list(table.index) == ['GRU + EASE', 'GRU', 'SASRec tuned', 'lead of GRU over SASRec tuned']
    assert table.loc['lead of GRU over SASRec tuned', 'seed 0'] == pytest.approx(0.01)
    assert table.loc['lead of GRU over SASRec tuned', 'seed 1'] == pytest.approx(-0.005)
    assert table.loc['GRU', 'mean'] == pytest.approx(0.07)
    del peers['rows']['sasrec-tuned']  # the other tuned peer lacks seed 1: nothing to compare
    (tmp_path / 'peers.json').write_text(json.dumps(peers))
    with pytest.raises(LookupError, match='--tune'):
        report.against_tuned_peers(tmp_path / 'benchmark.json', tmp_path / 'peers.json')
