"""peers.report: the peers beside this project's rows, the head-to-head with the tuned peers,
and results/peers.md (mean ± sample std, the committed file the one its JSON gives)."""

import json

import numpy as np
import pytest

from peers import report
from tests.helpers import ROOT

BENCHMARK = {'seeds': [0, 1], 'rows': [
    dict(metric='RMSE', model='ours', values=[0.9, 0.8], train_seconds_mean=2.0),
    dict(metric='MRR', model='GRU', values=[0.06, 0.08], train_seconds_mean=10.0),
    dict(metric='MRR', model='GRU, seen items ranked last', values=[0.07, 0.09], train_seconds_mean=10.0)]}
PEERS = {'seeds': ['0', '1'], 'runs': [], 'rows': {
    'fm': dict(part='explicit', label='FM', library='myfm', version='1', settings='defaults', per_seed={
        '0': dict(rmse=0.7, fit_s=3.0), '1': dict(error='crashed')}),
    'sr': dict(part='implicit', label='SR', library='numpy', version='2', settings='a grid', per_seed={
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


def test_markdown_states_the_sample_std_of_each_row():
    table = report.markdown({**PEERS, 'seeds': [0, 1], 'complete': True, 'pending': [], 'tuning': {}})
    assert 'Mean ± sample std' in table
    assert '| FM | myfm 1 | 0.7000 | 0 |' in table                   # one seed: no std
    sr = next(line for line in table.splitlines() if line.startswith('| SR |'))
    assert '0.1000 ± 0.0000 | 0.2000 ± 0.0000' in sr
    three = {**PEERS['rows']['sr'], 'per_seed': {str(s): dict(mrr=m, mrr_seen_last=m, fit_s=1.0)
                                                  for s, m in enumerate([0.1, 0.2, 0.3])}}
    assert report.summary({'sr': three})['sr']['mrr'] == [0.1, 0.2, 0.3]
    line = next(l for l in report.markdown({**PEERS, 'seeds': [0, 1, 2], 'complete': True, 'pending': [],
                                            'rows': {'sr': three}}).splitlines() if l.startswith('| SR |'))
    assert f'0.2000 ± {np.std([0.1, 0.2, 0.3], ddof=1):.4f}' in line


def test_the_committed_peers_md_is_the_one_peers_json_gives():
    committed = json.loads((ROOT / 'results' / 'peers.json').read_text())
    assert (ROOT / 'results' / 'peers.md').read_text() == report.markdown(committed)
