"""
How fast the course kit grades, measured in one run on this machine, and what a course
would take on a cluster.

    python -m benchmarks.grading_throughput                 # writes results/grading_throughput.md
    python -m benchmarks.grading_throughput --submissions 4 --output DIR/out.md   # a quick check

The same submissions (the solution notebook, handed in by ``--submissions`` students) are
graded with the same seed three times: the local process pool with ``--jobs 1`` and
``--jobs 2``, and a two-worker Dask ``LocalCluster`` (``grade_folder(..., scheduler=...)``).
The grader's overhead is the time per submission at ``--jobs 1`` over the time to execute
the solution alone (nbclient, the same kind of kernel, no grading), the median of three runs. From
the Dask run's cost per submission (worker seconds), the wall time of 1,000 submissions is
projected for 8, 32 and 128 workers: ceil(1000 / workers) rounds of one submission per
single-threaded worker (the run's fixed cost, a few seconds, left out).
"""

import argparse
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from grading.course import grade_folder
from spotlight_compat.atomic import atomic_write_bytes

from .machine import ROOT, load_average, machine_line, recorded_command

SOLUTION = ROOT / 'recsys_homework.ipynb'
WORKERS = (8, 32, 128)
COURSE = 1000


def submissions_folder(folder, count):
    """``folder`` holding the solution handed in by ``count`` students (``student01.ipynb``, ...)."""
    folder.mkdir(parents=True)
    for number in range(1, count + 1):
        shutil.copy(SOLUTION, folder / f'student{number:02d}.ipynb')
    return folder


def timed_grading(submissions, out, seed, **options):
    """Grade ``submissions`` into ``out``; the wall seconds and the scores by student."""
    start = time.perf_counter()
    grade_folder(submissions, out, seed=seed, progress=False, **options)
    seconds = time.perf_counter() - start
    rows = (out / 'grades.csv').read_text().splitlines()[1:]
    return seconds, sorted(row.split(',')[:2] for row in rows)


def solution_alone_seconds(runs=3):
    """The median wall time of executing the solution notebook alone: a fresh kernel (the
    grader's kind, local sockets), every cell, no grading."""
    import nbformat
    from nbclient import NotebookClient

    from grading.kernels import LocalSocketKernelManager
    times = []
    for _ in range(runs):
        notebook = nbformat.read(str(SOLUTION), as_version=4)
        start = time.perf_counter()
        NotebookClient(notebook, kernel_manager_class=LocalSocketKernelManager, timeout=900,
                       resources={'metadata': {'path': str(ROOT)}}).execute()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dask_grading(submissions, out, seed, workers=2):
    """Grade on a fresh ``LocalCluster`` of ``workers`` single-threaded worker processes."""
    from distributed import LocalCluster
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        return timed_grading(submissions, out, seed, scheduler=cluster.scheduler_address)


def main(argv=None):
    """Measure (see the module) and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--submissions', type=int, default=20, help='how many submissions (default 20)')
    parser.add_argument('--seed', type=int, default=7, help='the SEED every submission runs with')
    parser.add_argument('--output', type=Path, default=ROOT / 'results' / 'grading_throughput.md')
    args = parser.parse_args(argv)
    if args.submissions < 1:
        parser.error(f'--submissions must be at least 1, got {args.submissions}.')
    load_start = load_average()
    command = recorded_command(['python', '-m', 'benchmarks.grading_throughput',
                                *(sys.argv[1:] if argv is None else argv)])
    with tempfile.TemporaryDirectory(prefix='grading-throughput-') as scratch:
        scratch = Path(scratch)
        submissions = submissions_folder(scratch / 'submissions', args.submissions)
        alone = solution_alone_seconds()
        print(f'the solution alone: {alone:.1f} s (median of 3)', flush=True)
        runs, grades = {}, {}
        for name, options in (('local, --jobs 1', {'jobs': 1}), ('local, --jobs 2', {'jobs': 2})):
            seconds, grades[name] = timed_grading(submissions, scratch / name.replace(' ', '_'), args.seed,
                                                  **options)
            runs[name] = seconds
            print(f'{name}: {seconds:.0f} s', flush=True)
        seconds, grades['Dask, 2 workers'] = dask_grading(submissions, scratch / 'dask', args.seed)
        runs['Dask, 2 workers'] = seconds
        print(f'Dask, 2 workers: {seconds:.0f} s', flush=True)
    identical = len({json.dumps(g) for g in grades.values()}) == 1
    count = args.submissions
    per_submission = runs['local, --jobs 1'] / count
    worker_seconds = runs['Dask, 2 workers'] * 2 / count
    lines = ['# Grading throughput', '',
             f'Written by `{command}` on {machine_line(load_start, own_processes=2)}. {count} submissions (the solution '
             f'notebook, handed in by {count} students), graded with `--seed {args.seed}` in each '
             'configuration, one after the other in one run; the grades are '
             + ('identical in all three.' if identical else '**not** identical across them.'), '',
             '| configuration | wall s | submissions per minute | s per submission |', '|---|---|---|---|']
    for name, seconds in runs.items():
        lines.append(f'| {name} | {seconds:.0f} | {count / seconds * 60:.2f} | {seconds / count:.1f} |')
    lines += ['', f'**The grader\'s overhead**: {per_submission:.1f} s per submission at `--jobs 1` against '
              f'{alone:.1f} s to execute the solution alone (a fresh kernel, no grading; median of 3): '
              f'**{per_submission / alone:.2f}x**. The difference is nbgrader\'s work (the course '
              'folder, autograde\'s own passes, feedback, export), the sandboxed kernel\'s start and the '
              'grader\'s scoring.', '',
              f'**1,000 submissions on a Dask cluster**, projected from this run\'s cost per submission '
              f'on a worker ({worker_seconds:.1f} worker-seconds: the two-worker wall time x 2 / {count}), '
              'assuming workers as fast as these cores, one submission per single-threaded worker at a '
              'time, and a scheduler that keeps them busy:', '',
              '| workers | projected wall time |', '|---|---|']
    for workers in WORKERS:
        total = math.ceil(COURSE / workers) * worker_seconds
        lines.append(f'| {workers} | {total / 60:.1f} min |')
    lines.append('')
    args.output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.output, '\n'.join(lines).encode())
    print('\n'.join(lines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
