"""
This project's models from the result files: ``results/benchmark.json`` (the notebooks'
models over seeds 0-4, ``python -m benchmarks.benchmark``) and the validation searches'
``results/search_*.json``. Over seeds: mean ± sample std (``results.mean_and_std``). The
peers beside them: ``peers.report``.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .results import mean_and_std

SEEN_LAST = ', seen items ranked last'  # the suffix of a benchmark row so scored


def load_benchmark(path):
    """
    The content of a ``results/benchmark.json``.

    Raises
    ------
    FileNotFoundError
        When there is no such file, saying which command writes it.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f'{path} does not exist: run python -m benchmarks.benchmark to write it.')
    return json.loads(path.read_text())


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


def mean_seconds(values):
    """The mean of the known fit times, or None."""
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


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
    benchmark = load_benchmark(benchmark_path)
    rows = pd.DataFrame(benchmark['rows'])
    unknown = set(rows.metric) - set(LOWER_IS_BETTER)
    if unknown:
        raise ValueError(f'{benchmark_path}: unknown metrics {sorted(unknown)}; known: {sorted(LOWER_IS_BETTER)}.')
    missing = set(answers) - set(rows.model)
    if missing:
        raise ValueError(f'{benchmark_path} has no row for {sorted(missing)}: run python -m benchmarks.benchmark.')
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
        the validation MRR's mean and sample std over the seeds (NaN for one seed), their count, and
        the means of ``seen_last`` (as ``seen last``) and ``seconds`` (as ``train s``) where
        the records have them.
    """
    records = pd.DataFrame(records)
    missing = {'seed', 'validation_mrr'} - set(records.columns)
    if missing:
        raise ValueError(f'the records have no {sorted(missing)} field: they are not a validation search\'s.')
    setting = [column for column in records.columns if column not in ('seed',) + SEARCH_VALUES]
    aggregates = dict(mean=('validation_mrr', 'mean'), std=('validation_mrr', lambda values: _sample_std(values)),
                      seeds=('seed', 'nunique'))
    for column, label in (('seen_last', 'seen last'), ('seconds', 'train s')):
        if column in records.columns:
            aggregates[label.replace(' ', '_')] = (column, 'mean')
    summary = records.groupby(setting, sort=False).agg(**aggregates)
    return summary.rename(columns={'seen_last': 'seen last', 'train_s': 'train s'})


def _sample_std(values):
    std = mean_and_std(values)[1]
    return np.nan if std is None else std
