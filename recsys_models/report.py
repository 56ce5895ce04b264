"""
Our models beside the peers, from the result files: ``results/benchmark.json`` (the
notebooks' models over seeds 0-4, ``benchmarks/benchmark.py``) and ``results/peers.json``
(the peer libraries on the same splits, ``benchmarks/peers.py``). The README's tables
(``scripts/readme_tables.py``) and the second notebook's comparison read them here.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

SEEN_LAST = ', seen items ranked last'


def load_results(benchmark_path, peers_path=None):
    """The benchmark report and the peers' report (None when ``peers_path`` is None or absent)."""
    benchmark_path = Path(benchmark_path)
    if not benchmark_path.exists():
        raise FileNotFoundError(f'{benchmark_path} does not exist: run python benchmarks/benchmark.py to write it.')
    benchmark = json.loads(benchmark_path.read_text())
    report = None
    if peers_path is not None and Path(peers_path).exists():
        report = json.loads(Path(peers_path).read_text())
    return benchmark, report


def our_rows(benchmark):
    """
    The notebooks' rows: ``{'RMSE': [row, ...], 'MRR': [...]}``, each row a dict with
    ``label``, ``source``, ``values`` (per seed), ``seen_last`` (per seed, or None) and ``fit_s``.
    """
    rows = {row['model']: row for row in benchmark['rows']}
    table = {'RMSE': [], 'MRR': []}
    for name, row in rows.items():
        if name.endswith(SEEN_LAST):
            continue
        seen_last = rows.get(name + SEEN_LAST)
        table[row['metric']].append(dict(label=name, source='this project', values=row['values'],
                                         seen_last=seen_last['values'] if seen_last else None,
                                         fit_s=[row['train_seconds_mean']]))
    return table


def peer_rows(report):
    """The peers' rows, in the shape of ``our_rows``; a peer run on fewer seeds says which."""
    table = {'RMSE': [], 'MRR': []}
    for row in report['rows'].values():
        done = {seed: run for seed, run in row['per_seed'].items() if 'error' not in run}
        runs = list(done.values())
        if not runs:
            continue
        label = row['label']
        if len(done) < len(report['seeds']):
            label += f" ({'seeds' if len(done) > 1 else 'seed'} {', '.join(sorted(done))} only)"
        source = f"{row['library']} {row['version']}"
        metric, key = ('RMSE', 'rmse') if row['part'] == 'explicit' else ('MRR', 'mrr')
        table[metric].append(dict(label=label, source=source, values=[r[key] for r in runs],
                                  seen_last=[r['mrr_seen_last'] for r in runs] if metric == 'MRR' else None,
                                  fit_s=[r['fit_s'] for r in runs]))
    return table


def comparison_rows(benchmark, report=None):
    """Ours and the peers', best first: RMSE ascending, MRR descending."""
    rows = our_rows(benchmark)
    if report is not None:
        for metric, extra in peer_rows(report).items():
            rows[metric] += extra
    rows['RMSE'].sort(key=lambda r: np.mean(r['values']))
    rows['MRR'].sort(key=lambda r: -np.mean(r['values']))
    return rows


def mean_seconds(values):
    """The mean of the known fit times, or None."""
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def comparison_table(benchmark_path, peers_path, metric):
    """
    One metric's comparison as a DataFrame indexed by model: source, mean and std over
    seeds (and, for MRR, with seen items ranked last), mean fit seconds.
    """
    if metric not in ('RMSE', 'MRR'):
        raise ValueError(f"metric must be 'RMSE' or 'MRR', got {metric!r}.")
    benchmark, report = load_results(benchmark_path, peers_path)
    records = []
    for row in comparison_rows(benchmark, report)[metric]:
        record = dict(model=row['label'], source=row['source'], mean=np.mean(row['values']),
                      std=np.std(row['values']))
        if metric == 'MRR':
            record['seen last'] = np.mean(row['seen_last']) if row['seen_last'] else np.nan
        record['fit s'] = mean_seconds(row['fit_s'])
        records.append(record)
    return pd.DataFrame(records).set_index('model')


TUNED_PEERS = ('gru4rec-official', 'sasrec-tuned')  # peers.py's rows tuned with our trial budget


def best(rows):
    """The (label, per-seed values) of ``rows`` with the highest mean."""
    return max(rows.items(), key=lambda item: np.mean(item[1]))


def against_tuned_peers(benchmark_path, peers_path):
    """
    Part 2's head-to-head, seed by seed, from the result files: ``tuned_peer_comparison``.
    """
    benchmark, report = load_results(benchmark_path, peers_path)
    table = tuned_peer_comparison(benchmark, report)
    if table is None:
        raise LookupError(f'{peers_path} holds no tuned peer ({", ".join(TUNED_PEERS)}) run on '
                          f'every seed of {benchmark_path}: run benchmarks/peers.py --tune, '
                          'then --only ... --update.')
    return table


def tuned_peer_comparison(benchmark, report):
    """
    Our best blend and our best single model (best mean test MRR among this project's rows
    with and without a ``+``) against the best tuned peer (of ``TUNED_PEERS``), and the
    single model's lead over that peer per seed.

    Returns
    -------
    pd.DataFrame or None
        One row each (blend, single model, tuned peer, lead), one column per seed, then
        the mean; the index names the models. None when no tuned peer ran on every seed.
    """
    seeds = [str(seed) for seed in benchmark['seeds']]
    tuned = {row['label']: [row['per_seed'].get(seed, {}).get('mrr', np.nan) for seed in seeds]
             for name, row in (report or {'rows': {}})['rows'].items() if name in TUNED_PEERS}
    tuned = {label: values for label, values in tuned.items() if not np.isnan(values).any()}
    if not tuned:
        return None
    ours = {row['label']: row['values'] for row in our_rows(benchmark)['MRR']}
    blend = best({label: v for label, v in ours.items() if ' + ' in label})
    single = best({label: v for label, v in ours.items() if ' + ' not in label})
    peer = best(tuned)
    lead = (f'lead of {single[0]} over {peer[0]}', np.subtract(single[1], peer[1]))
    table = pd.DataFrame([values for _, values in (blend, single, peer, lead)],
                         index=[label for label, _ in (blend, single, peer, lead)],
                         columns=[f'seed {seed}' for seed in seeds])
    table['mean'] = table.mean(axis=1)
    return table


LOWER_IS_BETTER = {'RMSE': True, 'MRR': False}


def best_models(benchmark_path, answers=(), top=3):
    """
    The best models of a benchmark file per metric, beside the given ``answers``.

    Rows with the seen items ranked last are left out: they follow another protocol.

    Parameters
    ----------
    benchmark_path: path
        A ``results/benchmark.json`` written by ``benchmarks/benchmark.py``.
    answers: sequence of str, optional
        Models to show whatever their rank (e.g. the homework's answers).
    top: int, optional
        How many of the best models to show per metric.

    Returns
    -------
    pandas.DataFrame
        Indexed by (metric, model), best first, with the mean and std over the seeds and
        their count.
    """
    benchmark, _ = load_results(benchmark_path)
    rows = pd.DataFrame(benchmark['rows'])
    unknown = set(rows.metric) - set(LOWER_IS_BETTER)
    if unknown:
        raise ValueError(f'{benchmark_path}: unknown metrics {sorted(unknown)}; known: {sorted(LOWER_IS_BETTER)}.')
    missing = set(answers) - set(rows.model)
    if missing:
        raise ValueError(f'{benchmark_path} has no row for {sorted(missing)}: run python benchmarks/benchmark.py.')
    rows = rows[~rows.model.str.endswith(SEEN_LAST)]
    best = []
    for metric, ascending in LOWER_IS_BETTER.items():
        ranked = rows[rows.metric == metric].sort_values('mean', ascending=ascending)
        best.append(ranked[(np.arange(len(ranked)) < top) | ranked.model.isin(answers)])
    return pd.concat(best).set_index(['metric', 'model'])[['mean', 'std', 'seeds']]


def load_search(search_path):
    """The records of a validation search's result file (``results/search_*.json``)."""
    search_path = Path(search_path)
    if not search_path.exists():
        raise FileNotFoundError(f'{search_path} does not exist: run the search script that writes it '
                                '(see benchmarks/README.md).')
    return json.loads(search_path.read_text())


SEARCH_VALUES = ('validation_mrr', 'seen_last', 'seconds')  # a search record's measured fields


def validation_summary(records):
    """
    A validation search's scores, summed up over its seeds.

    Parameters
    ----------
    records: list of dict
        One record per seed and setting, as a ``benchmarks/search_*.py`` script writes them
        (``load_search``): a ``seed``, the setting's fields, ``validation_mrr``, and optionally
        ``seen_last`` (the MRR with the seen items ranked last) and ``seconds`` (training time).

    Returns
    -------
    pandas.DataFrame
        One row per setting, in the order of the records, indexed by the setting's fields:
        the validation MRR's mean and std (population std) over the seeds, their count, and
        the means of ``seen_last`` (as ``seen last``) and ``seconds`` (as ``train s``) where
        the records have them.
    """
    records = pd.DataFrame(records)
    missing = {'seed', 'validation_mrr'} - set(records.columns)
    if missing:
        raise ValueError(f'the records have no {sorted(missing)} field: they are not a validation search\'s.')
    setting = [column for column in records.columns if column not in ('seed',) + SEARCH_VALUES]
    aggregates = dict(mean=('validation_mrr', 'mean'), std=('validation_mrr', lambda values: np.std(values)),
                      seeds=('seed', 'nunique'))
    for column, label in (('seen_last', 'seen last'), ('seconds', 'train s')):
        if column in records.columns:
            aggregates[label.replace(' ', '_')] = (column, 'mean')
    summary = records.groupby(setting, sort=False).agg(**aggregates)
    return summary.rename(columns={'seen_last': 'seen last', 'train_s': 'train s'})
