"""
The peers (``peers.registry``) on the notebooks' own splits.

Run in the peers' own environment (``bash benchmarks/peers.sh`` creates it and runs this
module)::

    python -m benchmarks.peers                       # every row, seeds 0-4, writes results/
    python -m benchmarks.peers --seeds 0 --only sr   # a cheap check, prints only

Explicit rows: test RMSE of the homework's Part 1 split
(``recsys_models.protocol.homework_ratings_split``), predictions clipped to [1, 5]. Implicit
rows: test MRR of Part 2's user split (``homework_user_split``) cut into windows of 10,
plain and with the seen items ranked last (``peers.scoring``). A peer's fit reads the
training data only (its library's defaults, or a search on validation data carved from
it); the test set is read once per row and seed, afterwards. Nothing is cached between
seeds.

A full run writes ``results/peers.json`` (per-seed numbers) and ``results/peers.md`` (the
tables, ``peers.report``), each atomically; a run restricted with ``--seeds`` or ``--only``
prints its numbers and writes only where ``--results-dir`` says.
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

from peers.registry import ROWS, TUNED
from peers.report import markdown, row_record
from peers.scoring import clipped_rmse, mrr_plain_and_seen_last
from recsys_models.protocol import evaluation_sequences, homework_ratings_split, homework_user_split
from spotlight_compat.atomic import atomic_write_bytes
from spotlight_compat.datasets.movielens import get_movielens_dataset

from .machine import ROOT, load_average, machine_line, recorded_command

RESULTS = ROOT / 'results'
SEEDS = (0, 1, 2, 3, 4)
TUNING_FILE = 'peers_tuning.json'


def run_row(name, dataset, seed, options):
    """
    One row on one seed: fit on the training side of the homework's split ``seed``, then score
    the test side.

    Returns
    -------
    dict
        ``rmse`` (explicit) or ``mrr`` and ``mrr_seen_last`` (implicit), ``fit_s``, and what
        the fit recorded (its chosen setting, ...).
    """
    row = ROWS[name]
    if row.part == 'explicit':
        train, test = homework_ratings_split(dataset, seed)
        predict, seconds, extra = row.fit(train, seed)
        return {'rmse': clipped_rmse(predict(test.user_ids, test.item_ids), test.ratings),
                'fit_s': seconds, **extra}
    train, test_users = homework_user_split(dataset, seed)
    scorer, seconds, extra = row.fit(train, seed, **options) if row.tuned else row.fit(train, seed)
    plain, seen_last = mrr_plain_and_seen_last(scorer, evaluation_sequences(test_users))
    return {'mrr': plain, 'mrr_seen_last': seen_last, 'fit_s': seconds, **extra}


def run_task(name, seed, threads, options):
    """
    ``run_row`` in a worker process, on a fresh split and a fresh fit; an error is returned, not
    raised. ``options``: ``gru4rec_src`` (the checkout's folder) and ``tuning`` (the content of
    peers_tuning.json), read by the tuned rows only.
    """
    import torch
    torch.set_num_threads(threads)
    try:
        return run_row(name, get_movielens_dataset('100K'), seed, options)
    except Exception as error:  # reported in the results, the other rows go on
        return {'error': f'{type(error).__name__}: {error}'}


def write_results(report, directory):
    """Write ``peers.json`` and ``peers.md`` into ``directory``, each atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(directory / 'peers.json',
                       (json.dumps(report, indent=1, sort_keys=False) + '\n').encode('utf-8'))
    atomic_write_bytes(directory / 'peers.md', markdown(report).encode('utf-8'))


def parse_args(argv=None):
    """The command line, checked; ``results_dir`` filled in for a full run or ``--update``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=list(SEEDS))
    parser.add_argument('--only', nargs='+', default=None, metavar='ROW',
                        help=f'rows to run, of: {", ".join(ROWS)}')
    parser.add_argument('--jobs', type=int, default=1,
                        help='rows run in this many worker processes at once (default 1)')
    parser.add_argument('--results-dir', type=Path, default=None,
                        help='where to write peers.json / peers.md (default: results/ for a '
                             'full run or --update, nowhere for a restricted run)')
    parser.add_argument('--why', default=None,
                        help='what changed and why these rows are rerun (recorded with the run)')
    parser.add_argument('--update', action='store_true',
                        help='rerun only the selected rows and seeds and merge them into the '
                             'existing peers.json, keeping every other result')
    parser.add_argument('--gru4rec-src', type=Path, default=None, metavar='PATH',
                        help='a checkout of hidasib/GRU4Rec_PyTorch_Official (needed by the '
                             'gru4rec-official row and its tuning)')
    parser.add_argument('--tune', choices=TUNED, default=None,
                        help='instead of running rows, search this row\'s setting on validation '
                             'users and record it in peers_tuning.json')
    parser.add_argument('--trials', type=int, default=20,
                        help='trials of the --tune search (default 20, the same for every peer)')
    parser.add_argument('--render', action='store_true',
                        help='run nothing: rewrite peers.md from peers.json (in --results-dir, default '
                             'results/), the rows\' labels and settings refreshed from peers.registry')
    args = parser.parse_args(argv)
    if args.render:
        args.results_dir = args.results_dir or RESULTS
        if not (args.results_dir / 'peers.json').is_file():
            parser.error(f'--render: no {args.results_dir / "peers.json"} to render.')
        return args
    selected = [args.tune] if args.tune else (args.only or list(ROWS))
    if 'gru4rec-official' in selected and args.gru4rec_src is None:
        parser.error('the gru4rec-official row needs --gru4rec-src PATH, a checkout of '
                     'https://github.com/hidasib/GRU4Rec_PyTorch_Official.')
    if args.trials < 1:
        parser.error(f'--trials must be at least 1, got {args.trials}.')
    unknown = sorted(set(args.only or ()) - set(ROWS))
    if unknown:
        parser.error(f'--only: unknown row(s) {unknown}; choose from {", ".join(ROWS)}.')
    if args.jobs < 1:
        parser.error(f'--jobs must be at least 1, got {args.jobs}.')
    full_run = args.only is None and sorted(args.seeds) == list(SEEDS)
    if args.results_dir is None and (full_run or args.update):
        args.results_dir = RESULTS
    if args.update and not (args.results_dir / 'peers.json').is_file():
        parser.error(f'--update: no {args.results_dir / "peers.json"} to update; run without '
                     '--update first.')
    return args


def task_order(names, seeds):
    """
    (row, seed) tasks: every fast row on every seed first, then the slow rows seed by seed, so
    that a run cut short has every fast row and the slow rows' first seeds.
    """
    slow = [(name, seed) for seed in seeds for name in names if ROWS[name].slow]
    fast = [(name, seed) for name in names if not ROWS[name].slow for seed in seeds]
    return fast + slow


def previous_report(args, names):
    """The report that ``--update`` merges into (all of its rows), or a fresh one."""
    if not args.update:
        return {'seeds': list(args.seeds), 'runs': [], 'pending': [],
                'rows': {name: row_record(name) for name in names}}
    previous = json.loads((args.results_dir / 'peers.json').read_text('utf-8'))
    for name in {*previous['rows'], *names}:  # descriptions from this code, results kept
        kept = previous['rows'].get(name, {}).get('per_seed', {})
        previous['rows'][name] = {**row_record(name), 'per_seed': {
            seed: result for seed, result in kept.items()
            if name not in names or int(seed) not in args.seeds}}
    order = list(ROWS)
    previous['rows'] = dict(sorted(previous['rows'].items(), key=lambda kv: order.index(kv[0])))
    return previous


def load_tuning(directory):
    """The content of ``directory``/peers_tuning.json ({} when there is none)."""
    path = directory / TUNING_FILE
    return json.loads(path.read_text('utf-8')) if path.is_file() else {}


def run_tuning(args):
    """``--tune ROW``: search the row's setting and merge the record into peers_tuning.json."""
    import filelock
    import torch

    from peers.adapters import gru4rec_official
    from peers.tuning import tune
    directory = args.results_dir or RESULTS
    load_start = load_average()
    module, commit = (gru4rec_official.load(args.gru4rec_src) if args.tune == 'gru4rec-official'
                      else (None, None))
    record = tune(args.tune, get_movielens_dataset('100K'), args.trials, gru4rec_module=module,
                  log=lambda line: print(line, flush=True))
    record['command'] = recorded_command(['python', '-m', 'benchmarks.peers', *sys.argv[1:]])
    record['machine'] = machine_line(load_start) + f', torch with {torch.get_num_threads()} thread(s)'
    if commit is not None:
        record['commit'] = commit
    directory.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(directory / (TUNING_FILE + '.lock'))):  # two searches may finish together
        tuning = {**load_tuning(directory), args.tune: record}
        atomic_write_bytes(directory / TUNING_FILE,
                           (json.dumps(tuning, indent=1) + '\n').encode('utf-8'))
    print(f'{args.tune}: chosen {json.dumps(record["chosen"])}, validation MRR '
          f'{record["validation_mrr"]:.4f}, {record["search_s"] / 60:.1f} min; wrote '
          f'{directory / TUNING_FILE}')


def render(directory):
    """
    Rewrite ``peers.md`` from ``peers.json`` in ``directory`` (and ``peers.json`` itself, its rows'
    labels, libraries and settings refreshed from ``peers.registry``; every result and recorded
    version kept), running nothing.
    """
    report = json.loads((directory / 'peers.json').read_text('utf-8'))
    for name, row in report['rows'].items():
        registered = ROWS[name]
        row.update(label=registered.label, library=registered.library, settings=registered.settings)
    write_results(report, directory)


def main(argv=None):
    """Run the selected rows on the selected seeds (or ``--tune`` one, or ``--render``); see the module."""
    args = parse_args(argv)
    if args.render:
        render(args.results_dir)
        print(f'wrote {args.results_dir / "peers.json"} and {args.results_dir / "peers.md"}')
        return
    if args.tune:
        return run_tuning(args)
    names = [name for name in ROWS if name in (args.only or ROWS)]
    get_movielens_dataset('100K')  # fetch once, before any worker starts
    command = recorded_command(['python', '-m', 'benchmarks.peers',
                                *(sys.argv[1:] if argv is None else argv)])
    load_start, started = load_average(), time.perf_counter()
    base = previous_report(args, names)
    rows = base['rows']
    tasks = task_order(names, args.seeds)
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    tuning = load_tuning(args.results_dir or RESULTS)
    options = {'gru4rec_src': args.gru4rec_src, 'tuning': tuning}
    if 'gru4rec-official' in rows and 'commit' in tuning.get('gru4rec-official', {}):
        rows['gru4rec-official']['version'] = f"commit {tuning['gru4rec-official']['commit'][:7]}"

    def report():
        pending = [task for task in base['pending'] if task not in
                   {f'{name} seed {seed}' for name, seed in tasks}]
        pending += [f'{name} seed {seed}' for name, seed in tasks
                    if str(seed) not in rows[name]['per_seed']]
        run = {'command': command, 'jobs': args.jobs, 'torch_threads': threads,
               'wall_s': time.perf_counter() - started, 'machine': machine_line(load_start)}
        if args.why:
            run['why'] = args.why
        return {'seeds': base['seeds'], 'complete': not pending, 'pending': pending,
                'runs': [*base['runs'], run],
                'tuning': {row: {k: v for k, v in record.items() if k != 'trials'}
                           for row, record in tuning.items() if row in rows},
                'rows': {name: {**row, 'per_seed': dict(sorted(row['per_seed'].items()))}
                         for name, row in rows.items()}}

    with concurrent.futures.ProcessPoolExecutor(
            args.jobs, mp_context=multiprocessing.get_context('spawn')) as pool:
        futures = {pool.submit(run_task, name, seed, threads, options): (name, seed)
                   for name, seed in tasks}
        for future in concurrent.futures.as_completed(futures):
            name, seed = futures[future]
            rows[name]['per_seed'][str(seed)] = result = future.result()
            print(f'{name} seed {seed}: ' + json.dumps(result), flush=True)
            if args.results_dir is not None:  # every finished task is on disk at once
                write_results(report(), args.results_dir)
    final = report()
    print(markdown(final))
    if args.results_dir is not None:
        write_results(final, args.results_dir)
        print(f'wrote {args.results_dir / "peers.json"} and {args.results_dir / "peers.md"}')


if __name__ == '__main__':
    main()
