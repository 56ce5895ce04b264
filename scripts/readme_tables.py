"""
Write the README's results tables from the result files, so that no number is copied by
hand: ``results/benchmark.json`` (the notebook's models over seeds 0-4, written by
``benchmarks/benchmark.py``) and ``results/peers.json`` (the peer libraries on the same
splits, written by ``benchmarks/peers.py``). The tables replace the README's text between
the two ``GENERATED`` markers; ``--check`` only compares and fails when the README is stale.

Usage::

    python scripts/readme_tables.py            # rewrite the README's tables
    python scripts/readme_tables.py --check    # exit 1 if they differ from the result files
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from spotlight_compat.datasets.cache import atomic_write_bytes

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / 'README.md'
BEGIN, END = '<!-- BEGIN GENERATED: results -->', '<!-- END GENERATED: results -->'
SEEN_LAST = ', seen items ranked last'


def mean_std(values):
    """'mean ± std' of the per-seed values (population std, as in results/benchmark.md)."""
    return f'{np.mean(values):.4f} ± {np.std(values):.4f}'


def seconds(values):
    values = [v for v in values if v is not None]
    return f'{np.mean(values):.1f}' if values else '-'


def ours(benchmark):
    """The notebook's rows: {metric: [(label, values, seen-last values or None, fit seconds)]}."""
    rows = {row['model']: row for row in benchmark['rows']}
    table = {'RMSE': [], 'MRR': []}
    for name, row in rows.items():
        if name.endswith(SEEN_LAST):
            continue
        seen_last = rows.get(name + SEEN_LAST)
        table[row['metric']].append((name, 'this notebook', row['values'],
                                     seen_last['values'] if seen_last else None,
                                     [row['train_seconds_mean']]))
    return table


def peers(report):
    """The peers' rows, in the same shape as ``ours``."""
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
        if row['part'] == 'explicit':
            table['RMSE'].append((label, source, [r['rmse'] for r in runs], None,
                                  [r['fit_s'] for r in runs]))
        else:
            table['MRR'].append((label, source, [r['mrr'] for r in runs],
                                 [r['mrr_seen_last'] for r in runs], [r['fit_s'] for r in runs]))
    return table


def tables(benchmark, report):
    """The markdown of the two results tables."""
    rows = ours(benchmark)
    if report is not None:
        for metric, extra in peers(report).items():
            rows[metric] += extra
    seeds = ', '.join(map(str, benchmark['seeds']))
    lines = [f'Test metrics on the notebook\'s splits, seeds {seeds}: mean ± std over the seeds; '
             'fit s is the mean training time in seconds on the 2-core machine that ran them.', '']
    if report is not None:
        lines += ['The peers\' runs (`results/peers.md`): '
                  + '; '.join(f"`{run['command']}` on {run['machine']}" for run in report['runs']) + '.', '']
    lines += ['| explicit: test RMSE (lower is better) | from | mean ± std | fit s |', '|---|---|---|---|']
    for label, source, values, _, fit in sorted(rows['RMSE'], key=lambda r: np.mean(r[2])):
        lines.append(f'| {label} | {source} | {mean_std(values)} | {seconds(fit)} |')
    lines += ['', '| implicit: test MRR (higher is better) | from | plain | seen items ranked last | fit s |',
              '|---|---|---|---|---|']
    for label, source, values, seen_last, fit in sorted(rows['MRR'], key=lambda r: -np.mean(r[2])):
        lines.append(f'| {label} | {source} | {mean_std(values)} | '
                     f'{mean_std(seen_last) if seen_last else "-"} | {seconds(fit)} |')
    return '\n'.join(lines)


def updated_readme(readme, generated):
    if readme.count(BEGIN) != 1 or readme.count(END) != 1:
        raise ValueError(f'README.md must hold the markers {BEGIN} and {END} once each')
    head, rest = readme.split(BEGIN)
    _, tail = rest.split(END)
    return f'{head}{BEGIN}\n{generated}\n{END}{tail}'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--check', action='store_true', help='fail if the README is stale')
    args = parser.parse_args(argv)
    benchmark = json.loads((ROOT / 'results' / 'benchmark.json').read_text())
    peers_file = ROOT / 'results' / 'peers.json'
    report = json.loads(peers_file.read_text()) if peers_file.exists() else None
    readme = README.read_text()
    new = updated_readme(readme, tables(benchmark, report))
    if args.check:
        if new != readme:
            print('README.md results tables are stale: run python scripts/readme_tables.py')
            return 1
        return 0
    atomic_write_bytes(README, new.encode('utf-8'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
