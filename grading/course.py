"""
Grading a folder of submissions on nbgrader's pipeline (``scripts/grade.py``).

The output folder is an nbgrader course folder: ``source/`` (the solution), ``release/``
(the handout, by ``generate_assignment``), ``submitted/``, ``autograded/``, ``feedback/``
(an HTML page per student, by ``generate_feedback``), ``gradebook.db`` and an
``nbgrader_config.py`` that loads the project's and adds this run's settings. Besides
nbgrader's files it holds ``grades.csv`` (by ``nbgrader export`` with ``grading.export``),
``reasons.csv`` (each task's points and the reason, and the errors of the student's own
cells, per student) and ``grading.json``
(the seed, the limits, what was isolated).

Each submission is graded by a ``grading.worker`` process of its own, at most ``jobs`` at a
time; one that runs past the notebook's time limit (plus a margin for nbgrader's own work)
is killed, and the submission gets 0 with that reason. With ``scheduler`` (a Dask
scheduler's address), each runs on a Dask worker instead, in a course folder of its own
there (``grading.cluster``), and this process writes what comes back into ``out``.
"""

import csv
import html
import io
import json
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from spotlight_compat.atomic import atomic_write_bytes

from . import ASSIGNMENT
from .cells import GRADER_NOTES
from .execute import TIME_LIMIT_ERROR, TRUNCATED, network_isolation_available
from .key import make_key, save_key
from .submissions import find_submissions, stage
from .worker import (KEY_FILE, PROJECT_CONFIG, ROOT, finished, grading_environment, interpreter_scripts_first,
                     load_course_config, start, write_course_config)

SOLUTION = ROOT / 'recsys_homework.ipynb'
WORKER_MARGIN = 180  # seconds for nbgrader's own work around a notebook's execution
NOTEBOOK = f'{ASSIGNMENT}.ipynb'


@dataclass(frozen=True)
class Limits:
    """The limits each submission runs under."""

    cell_timeout: int = 300
    notebook_timeout: int = 900
    memory_bytes: int = 4 * 2 ** 30
    max_output_bytes: int = 2 ** 20

    def __post_init__(self):
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f'{name} must be a positive integer, got {value!r}')


def grade_folder(submissions, out, jobs=1, seed=None, limits=Limits(), progress=True, solution=SOLUTION,
                 scheduler=None):
    """
    Grade every submission in ``submissions`` into the course folder ``out``.

    Parameters
    ----------
    submissions: path
        A folder of ``STUDENT.ipynb`` files, or nbgrader's ``submitted/`` layout.
    out: path
        A new (or empty) folder.
    jobs: int
        Submissions graded at once (without ``scheduler``).
    seed: int, optional
        The notebook's ``SEED`` for every submission; drawn at random when not given
        (it is recorded in ``out/grading.json``).
    limits: Limits
    progress: bool
        Show a progress bar.
    solution: path
        The solution notebook (nbgrader's source).
    scheduler: str, optional
        A Dask scheduler's address (``tcp://HOST:8786``): grade on its workers
        (``grading.cluster``), connecting before ``out`` is made.

    Returns
    -------
    dict
        What ``out/grading.json`` records.

    Raises
    ------
    ValueError
        When the submissions cannot be found, ``out`` is not empty, or an option is wrong.
    grading.cluster.SchedulerUnreachable
        When no Dask scheduler answers at ``scheduler`` (a ``ValueError``).
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f'jobs must be a positive integer, got {jobs!r}')
    found = find_submissions(submissions)
    put_interpreter_scripts_on_path()
    client = None
    if scheduler is not None:
        from .cluster import connect
        _new_folder(out, create=False)
        client = connect(scheduler)  # an unreachable scheduler fails before out is made
    out = _new_folder(out)
    seed = secrets.randbelow(2 ** 31) if seed is None else seed
    started = time.time()
    isolation = _set_up_course(out, Path(submissions).resolve(), Path(solution), seed, limits)
    problems = {submission.student_id: stage(submission, out) for submission in found}
    # The largest notebooks first: size stands in for the time a submission takes.
    longest_first = [s.student_id for s in sorted(found, key=lambda s: -s.path.stat().st_size)]
    if client is None:
        failures = run_workers(out, longest_first, jobs, limits.notebook_timeout + WORKER_MARGIN, progress)
    else:
        from .cluster import run_tasks
        failures, isolation = run_tasks(client, out, longest_first, seed, limits,
                                        limits.notebook_timeout + WORKER_MARGIN, progress, isolation)
    shutil.rmtree(out / '.grading' / 'scratch', ignore_errors=True)  # what a failed run left behind
    for student_id, reason in failures.items():
        _record_failure(out, student_id, reason)
    _export(out)
    write_reasons(out, problems, failures)
    from .similarity import report_for_course  # similarity.csv and .html: no score depends on them, never raises
    similarity = report_for_course(out)
    record = {'seed': seed, 'submissions': len(found), 'jobs': jobs, 'limits': asdict(limits),
              'isolation': isolation, 'similarity': similarity, 'seconds': round(time.time() - started, 1)}
    if scheduler is not None:
        record['scheduler'] = scheduler  # and isolation['workers']: which worker graded whom
    atomic_write_bytes(out / 'grading.json', json.dumps(record, indent=1).encode())
    return record


def put_interpreter_scripts_on_path():
    """
    Put this interpreter's scripts folder (a virtual environment's ``bin/``) first on
    ``PATH`` when it is not there: nbgrader's gradebook runs the ``alembic`` command it
    installed, so that grading works through ``.venv/bin/python`` without activating the
    environment. The worker processes and nbgrader's commands inherit the setting.
    """
    os.environ['PATH'] = interpreter_scripts_first(os.environ.get('PATH', ''))


def _new_folder(out, create=True):
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f'{out} is not an empty folder: grade into a new folder')
    if create:
        out.mkdir(parents=True, exist_ok=True)
    return out


def _set_up_course(out, submissions, solution, seed, limits):
    """The course folder: its configuration, the grading key, the source and the release."""
    (out / KEY_FILE).parent.mkdir(parents=True)
    (out / '.grading' / 'scratch').mkdir()
    isolation = {'network': 'none (own network namespace)' if network_isolation_available()
                 else 'not isolated (unshare unavailable here)',
                 'files': 'audit hook: writes only in the scratch folder; no reading the course, '
                          'the submissions or the project'}
    write_course_config(out, seed, limits, [out, submissions, ROOT])
    save_key(out / KEY_FILE, make_key(seed))
    source = out / 'source' / ASSIGNMENT
    source.mkdir(parents=True)
    atomic_write_bytes(source / NOTEBOOK, solution.read_bytes())
    _nbgrader_api(out).generate_assignment(ASSIGNMENT, force=True, create=True)
    if not (out / 'release' / ASSIGNMENT / NOTEBOOK).is_file():
        raise RuntimeError(f'nbgrader generate_assignment wrote no handout into {out / "release"}')
    return isolation


def _nbgrader_api(out):
    from nbgrader.apps import NbGraderAPI
    return NbGraderAPI(config=load_course_config(out))


def generate_handout(solution):
    """
    The students' handout: nbgrader's ``generate_assignment`` on ``solution`` (a notebook
    node) with the project's ``nbgrader_config.py``, in a temporary course folder.

    Returns
    -------
    NotebookNode
        The released notebook.

    Raises
    ------
    RuntimeError
        When nbgrader fails (its log's last lines are in the message).
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader
    put_interpreter_scripts_on_path()
    with tempfile.TemporaryDirectory(prefix='handout-') as course:
        source = Path(course) / 'source' / ASSIGNMENT
        source.mkdir(parents=True)
        nbformat.write(solution, str(source / NOTEBOOK))
        config = PyFileConfigLoader(PROJECT_CONFIG.name, path=str(PROJECT_CONFIG.parent)).load_config()
        config.CourseDirectory.root = course
        result = NbGraderAPI(config=config).generate_assignment(ASSIGNMENT, force=True, create=True)
        release = Path(course) / 'release' / ASSIGNMENT / NOTEBOOK
        if not result['success'] or not release.is_file():
            log = (result.get('error') or result.get('log') or '').strip().splitlines()
            raise RuntimeError('nbgrader generate_assignment failed: ' + '\n'.join(log[-10:]))
        return nbformat.read(str(release), as_version=4)


def run_workers(out, student_ids, jobs, hard_limit, progress=True):
    """
    Grade each student in a ``grading.worker`` process, ``jobs`` at a time, in the order given.

    Returns
    -------
    dict
        ``{student_id: reason}`` for the submissions nbgrader could not grade.
    """
    from tqdm import tqdm
    pending, running, failures = list(student_ids), {}, {}
    environment = grading_environment(jobs)
    logs = out / '.grading' / 'logs'
    logs.mkdir(parents=True, exist_ok=True)
    with tqdm(total=len(pending), desc='grading', unit='submission', disable=not progress) as bar:
        while pending or running:
            while pending and len(running) < jobs:
                student_id = pending.pop(0)
                running[student_id] = start(out, student_id, logs / f'{student_id}.log', environment)
            time.sleep(0.2)
            for student_id, (process, started) in list(running.items()):
                reason = finished(out, student_id, process, started, hard_limit)
                if reason is not False:
                    del running[student_id]
                    bar.update()
                    if reason:
                        failures[student_id] = reason
    return failures


def _record_failure(out, student_id, reason):
    """Zero the autograded tasks of a submission nbgrader could not grade; feedback says why."""
    from nbgrader.api import Gradebook
    config = load_course_config(out)
    with Gradebook(f'sqlite:///{out / "gradebook.db"}', config.CourseDirectory.course_id) as gradebook:
        gradebook.update_or_create_student(student_id)
        submission = gradebook.update_or_create_submission(ASSIGNMENT, student_id)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = 0, False
        gradebook.db.commit()
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{ASSIGNMENT}: {html.escape(student_id)}'
            f'</title></head><body><h1>{ASSIGNMENT}</h1><p>Your submission could not be graded: '
            f'{html.escape(reason)}.</p><p>Every task scores 0.</p></body></html>')
    folder = out / 'feedback' / student_id / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / f'{ASSIGNMENT}.html', page.encode())


def _export(out):
    """``nbgrader export`` with the course's configuration: ``out/grades.csv``."""
    from nbgrader.apps import ExportApp
    app = ExportApp(config=load_course_config(out))
    app.initialize([f'--to={out / "grades.csv"}'])
    app.start()


def write_reasons(out, problems, failures):
    """
    Write ``out/reasons.csv``: each student's tasks, their points and why (with
    ``problems``, the submissions that could not be read, and ``failures``, those nbgrader
    could not grade, ``{student_id: reason}`` each). Returns None.
    """
    rows = [['student_id', 'task', 'score', 'max_score', 'reason']]
    with open(out / 'grades.csv', newline='') as grades:
        table = list(csv.DictReader(grades))
    tasks = [name for name in table[0] if name not in ('student_id', 'score', 'max_score')] if table else []
    for row in table:
        student_id = row['student_id']
        reasons = task_reasons(out, student_id)
        general = failures.get(student_id) or problems.get(student_id)
        if general:
            rows.append([student_id, '(submission)', '', '', general])
        rows += [[student_id, cell, '', '', reason] for cell, reason in notebook_events(out, student_id)]
        for task in tasks:
            points, reason = reasons.get(task, ('', general or ''))
            rows.append([student_id, task, row[task], points, reason])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator='\n').writerows(rows)
    atomic_write_bytes(out / 'reasons.csv', buffer.getvalue().encode())


def notebook_events(out, student_id):
    """
    What went wrong in the student's own cells (the checks aside), and the grader's notes.

    Returns
    -------
    list of (str, str)
        ``(cell, reason)`` pairs; empty when there is no autograded notebook.
    """
    path = out / 'autograded' / student_id / ASSIGNMENT / NOTEBOOK
    if not path.is_file():
        return []
    events = []
    for cell in nbformat.read(str(path), as_version=4).cells:
        if cell.cell_type == 'markdown' and cell.source.startswith(GRADER_NOTES):
            events += [('(grader)', line[2:]) for line in cell.source.splitlines() if line.startswith('* ')]
        if cell.cell_type != 'code' or cell.metadata.get('nbgrader', {}).get('grade'):
            continue
        where = f'(cell [{cell.execution_count}])' if cell.execution_count else '(cell not run)'
        errors = [output for output in cell.outputs if output.output_type == 'error']
        stopped = any(output.ename == TIME_LIMIT_ERROR for output in errors)
        events += [(where, _first_line(f'{output.ename}: {output.evalue}')) for output in errors
                   if not (stopped and output.ename == 'KeyboardInterrupt')]
        events += [(where, output.text.strip()) for output in cell.outputs
                   if output.output_type == 'stream' and output.text.startswith(TRUNCATED)]
    return events


def _first_line(text, width=300):
    return text.strip().splitlines()[0][:width]


def task_reasons(out, student_id):
    """
    Each graded cell's points and reason, from the student's autograded notebook.

    Returns
    -------
    dict
        ``{grade_id: (max_score, reason)}``, strings; empty when there is no autograded
        notebook.
    """
    path = out / 'autograded' / student_id / ASSIGNMENT / NOTEBOOK
    if not path.is_file():
        return {}
    reasons = {}
    for cell in nbformat.read(str(path), as_version=4).cells:
        nbgrader = cell.metadata.get('nbgrader', {})
        if nbgrader.get('grade'):
            reasons[nbgrader['grade_id']] = (f'{nbgrader.get("points", 0):g}', cell_reason(cell))
    return reasons


def cell_reason(cell):
    """
    Why a graded cell scored what it did.

    Returns
    -------
    str
        ``graded by hand``, the cell's last error, the grader's note, or ``passed``.
    """
    if cell.cell_type != 'code':
        return 'graded by hand'
    errors = [output for output in cell.outputs if output.output_type == 'error']
    if errors:
        return f'{errors[-1].ename}: {errors[-1].evalue}'.strip()
    notes = [output.text.strip() for output in cell.outputs
             if output.output_type == 'stream' and output.text.strip().startswith('Grader:')]
    return notes[-1] if notes else 'passed'
