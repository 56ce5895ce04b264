"""
Grade a folder of homework submissions with nbgrader.

SUBMISSIONS is a folder of STUDENT.ipynb files, or nbgrader's submitted/STUDENT/ASSIGNMENT/
layout. Every submission runs in its own process and scratch folder, with the grader's
seed (one the students never saw), under time, memory and output limits; the hidden tests
export its predictions and this process computes RMSE and MRR from them.

DIR becomes an nbgrader course folder holding grades.csv (student_id, score, max_score and
a column per task), reasons.csv (each task's points and why), feedback/STUDENT/.../*.html
(one page per student), gradebook.db, and the nbgrader_config.py that nbgrader's own
commands (formgrader for the hand-graded answer, then export) use there.
Also there: similarity.csv and .html, the code each pair of students shares (a report; no score uses it).

With --scheduler, each submission is graded on a Dask cluster's workers instead of --jobs
processes here: a task per submission carries the notebook and what the worker needs of the
course, runs the same sandboxed grading there in a private course folder, and sends back
the graded notebook, the feedback and the grades, which this process alone writes into DIR.

Usage::

    python scripts/grade.py submissions/ --out graded/ --jobs 2
    python scripts/grade.py submissions/ --out graded/ --scheduler tcp://scheduler-host:8786
"""

import argparse
import csv
import sys

from grading.cluster import SchedulerUnreachable
from grading.course import Limits, grade_folder


def main(argv=None):
    """Grade the submissions folder into ``--out`` (see the module); the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     epilog=__doc__[__doc__.index('With --scheduler'):].replace('::', ':'),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('submissions', help='folder of STUDENT.ipynb files or nbgrader\'s submitted/ layout')
    parser.add_argument('--out', required=True, help='a new folder for the course, grades and feedback')
    parser.add_argument('--jobs', type=int, default=1,
                        help='submissions graded at once on this machine (default 1; not with --scheduler)')
    parser.add_argument('--scheduler', metavar='ADDRESS',
                        help='grade on a Dask cluster: its scheduler\'s address, as `dask scheduler` prints it '
                             '(tcp://HOST:8786); the workers need this project installed, not the files; '
                             'checked before --out is made')
    parser.add_argument('--seed', type=int,
                        help='the SEED every submission runs with (default: drawn at random)')
    parser.add_argument('--cell-timeout', type=int, default=Limits.cell_timeout, help='seconds per cell')
    parser.add_argument('--notebook-timeout', type=int, default=Limits.notebook_timeout,
                        help='seconds per notebook')
    parser.add_argument('--memory-gb', type=float, default=Limits.memory_bytes / 2 ** 30,
                        help='GiB of address space per submission')
    parser.add_argument('--max-output-kb', type=int, default=Limits.max_output_bytes // 1024,
                        help='KiB of output kept per cell')
    parser.add_argument('--quiet', action='store_true', help='no progress bar')
    args = parser.parse_args(argv)
    try:
        limits = Limits(args.cell_timeout, args.notebook_timeout, int(args.memory_gb * 2 ** 30),
                        args.max_output_kb * 1024)
        record = grade_folder(args.submissions, args.out, jobs=args.jobs, seed=args.seed, limits=limits,
                              progress=not args.quiet, scheduler=args.scheduler)
    except SchedulerUnreachable as error:  # one line, without the usage: what was tried, what to check
        print(f'{parser.prog}: error: {error}', file=sys.stderr)
        sys.exit(2)
    except ValueError as error:
        parser.error(str(error))
    with open(f'{args.out}/grades.csv', newline='') as grades:
        rows = list(csv.DictReader(grades))
    for row in rows:
        print(f"{row['student_id']:<24} {row['score']:>5} / {row['max_score']}")
    print(f"{record['submissions']} submissions graded in {record['seconds']} s (seed {record['seed']}): "
          f"{args.out}/grades.csv, {args.out}/reasons.csv, {args.out}/feedback/")
    return 0


if __name__ == '__main__':
    sys.exit(main())
