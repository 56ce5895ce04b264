"""What the validation searches (``benchmarks.search_*``) share: their command line over seeds."""

import argparse

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
