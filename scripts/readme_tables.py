"""
Write the README's results tables from the result files, so that no number is copied by
hand: ``results/benchmark.json`` (the notebook's models over seeds 0-4, written by
``python -m benchmarks.benchmark``) and ``results/peers.json`` (the peer libraries on the same
splits, written by ``python -m benchmarks.peers``). Over seeds: mean ± sample std. The tables replace the README's text between
the two ``GENERATED`` markers; ``--check`` only compares and fails when the README is stale.

Usage::

    python scripts/readme_tables.py            # rewrite the README's tables
    python scripts/readme_tables.py --check    # exit 1 if they differ from the result files
"""

import argparse
import sys
from pathlib import Path

from peers.report import comparison_rows, load_peers, tuned_peer_comparison
from recsys_models.report import load_benchmark, mean_seconds
from recsys_models.results import format_mean_std
from spotlight_compat.atomic import atomic_write_bytes

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / 'README.md'
BEGIN, END = '<!-- BEGIN GENERATED: results -->', '<!-- END GENERATED: results -->'


def seconds(values):
    """The mean of the known fit seconds, or '-'."""
    mean = mean_seconds(values)
    return '-' if mean is None else f'{mean:.1f}'


def tables(benchmark, report):
    """The markdown of the two results tables."""
    rows = comparison_rows(benchmark, report)
    seeds = ', '.join(map(str, benchmark['seeds']))
    lines = [f'Test metrics on the notebooks\' splits, seeds {seeds}: mean ± sample std over the seeds; '
             'fit s is the mean training time in seconds on the machine that ran them'
             + (f" ({benchmark['machine']})" if 'machine' in benchmark else '') + '.', '']
    lines += ['| explicit: test RMSE (lower is better) | from | mean ± std | fit s |', '|---|---|---|---|']
    for row in rows['RMSE']:
        lines.append(f"| {row['label']} | {row['source']} | {format_mean_std(row['values'])} | {seconds(row['fit_s'])} |")
    lines += ['', '| implicit: test MRR (higher is better) | from | plain | seen items ranked last | fit s |',
              '|---|---|---|---|---|']
    for row in rows['MRR']:
        seen_last = format_mean_std(row['seen_last']) if row['seen_last'] else '-'
        lines.append(f"| {row['label']} | {row['source']} | {format_mean_std(row['values'])} | {seen_last} "
                     f"| {seconds(row['fit_s'])} |")
    head_to_head = tuned_peer_comparison(benchmark, report)
    if head_to_head is not None:
        lines += ['', 'Part 2 seed by seed: our best blend and best single model against the best peer '
                  'tuned with our budget (`peers.report.tuned_peer_comparison`); the last row is '
                  'the single model\'s lead, negative where the peer wins.', '',
                  '| test MRR | ' + ' | '.join(head_to_head.columns) + ' |',
                  '|---|' + '---|' * len(head_to_head.columns)]
        for label, values in head_to_head.iterrows():
            lines.append(f'| {label} | ' + ' | '.join(f'{v:+.4f}' if label.startswith('lead') else f'{v:.4f}'
                                                      for v in values) + ' |')
    return '\n'.join(lines)


def updated_readme(readme, generated):
    """``readme`` with ``generated`` between the markers (a ``ValueError`` unless each is there once)."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1:
        raise ValueError(f'README.md must hold the markers {BEGIN} and {END} once each')
    head, rest = readme.split(BEGIN)
    _, tail = rest.split(END)
    return f'{head}{BEGIN}\n{generated}\n{END}{tail}'


def main(argv=None):
    """Rewrite the README's tables, or with ``--check`` say whether they are stale (exit 1)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--check', action='store_true', help='fail if the README is stale')
    args = parser.parse_args(argv)
    benchmark, report = load_benchmark(ROOT / 'results' / 'benchmark.json'), load_peers(ROOT / 'results' / 'peers.json')
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
