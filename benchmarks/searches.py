"""What the validation searches (``benchmarks.search_*``) share: their command line over seeds, and
the rewrite of their tables from their records (``python -m benchmarks.searches OUT ...``)."""

import argparse
import importlib
import json
import sys
from pathlib import Path

from recsys_models.report import validation_summary
from spotlight_compat.atomic import atomic_write_bytes
from spotlight_compat.datasets.movielens import get_movielens_dataset


def scores_per_seed(validation_scores, description, argv=None, options=None, own_options=None):
    """
    Parse ``--seeds`` (default 0-4) and return ``([validation_scores(seed, dataset), ...],
    args)`` on MovieLens 100K, one dict of scores per seed, and the parsed arguments.
    ``options`` maps further flags to their ``add_argument`` keywords; their parsed values are
    passed to ``validation_scores`` as keyword arguments. ``own_options`` are parsed the same
    way but left to the caller.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    for flag, settings in {**(options or {}), **(own_options or {})}.items():
        parser.add_argument(flag, **settings)
    args = parser.parse_args(argv)
    passed = {flag.lstrip('-').replace('-', '_') for flag in options or {}}
    dataset = get_movielens_dataset('100K')
    per_seed = []
    for seed in args.seeds:
        per_seed.append(validation_scores(seed, dataset, **{k: v for k, v in vars(args).items() if k in passed}))
        print(f'seed {seed} done', flush=True)
    return per_seed, args


def rewrite_table(out):
    """
    Rewrite ``OUT.md``'s table from the records in ``OUT.json`` with the search's own ``table``
    (``OUT`` names the search: ``results/search_blend`` is ``benchmarks.search_blend``), keeping
    what the run wrote after the table; nothing is searched again.
    """
    out = Path(out)
    search = importlib.import_module(f'benchmarks.{out.name}')
    records = json.loads(out.with_suffix('.json').read_text())
    seeds = sorted({record['seed'] for record in records})
    table = search.table(validation_summary(records), seeds)
    old = out.with_suffix('.md').read_text() if out.with_suffix('.md').exists() else ''
    lines = old.splitlines(keepends=True)
    last_row = max((i for i, line in enumerate(lines) if line.startswith('|')), default=len(lines) - 1)
    atomic_write_bytes(out.with_suffix('.md'), (table + ''.join(lines[last_row + 1:])).encode())


def main(argv=None):
    """``python -m benchmarks.searches OUT [OUT ...]``: ``rewrite_table`` for each search."""
    parser = argparse.ArgumentParser(description='Rewrite validation searches\' tables from their '
                                     'records (results/search_*.json), without searching again.')
    parser.add_argument('out', nargs='+', help='a search\'s results without suffix, e.g. results/search_blend')
    for out in parser.parse_args(argv).out:
        rewrite_table(out)
        print(f'wrote {out}.md')
    return 0


if __name__ == '__main__':
    sys.exit(main())
