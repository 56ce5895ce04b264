"""
Grading on a Dask cluster: ``scripts/grade.py --scheduler tcp://HOST:8786``.

The grader's process prepares the course folder as on the local path (the configuration,
the grading key, ``generate_assignment``, the submissions staged), then sends one task per
submission to the scheduler. The workers share no filesystem with it, so a task carries
what it needs as data:

* the submission: the staged notebook's bytes (and nbgrader's ``timestamp.txt``), the
  student id;
* the course, once for the whole batch (a task of its own that the others depend on, which
  Dask recomputes if the worker holding it is lost): the seed and the limits, the source
  and release notebooks, the grading key and a snapshot of ``gradebook.db`` right after
  ``generate_assignment``.

On the worker, ``grade_on_worker`` builds a private course folder from it in a temporary
folder, with this worker's copy of MovieLens (fetched into its cache, or found there), and
runs the same ``python -m grading.worker`` as the local path, under the same limits and the
same hard kill past the notebook's limit plus a margin (``grading.worker.start`` and
``finished``); it returns the graded notebook, the feedback page, the status, the log and
the submission's grades and comments read from the private gradebook, then removes the
folder. Only the grader's process writes the output folder: it puts the files in place and
writes the grades into ``gradebook.db`` with nbgrader's ``Gradebook``, one submission at a
time as the results arrive.

A task that raises is retried once (``retries=1``); a task whose worker dies or is lost is
rescheduled by the scheduler on another worker, up to its ``allowed-failures`` setting
(start the scheduler with ``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1`` for exactly one
retry). Then the submission is recorded as failed with the reason, and the batch goes on.
"""

import asyncio
import json
import os
import shutil
import tempfile
import time
import uuid
import warnings
from asyncio import CancelledError
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

from spotlight_compat.atomic import atomic_write_bytes

from . import ASSIGNMENT
from .execute import network_isolation_available
from .worker import (KEY_FILE, NOTEBOOK, ROOT, SCRATCH_FOLDER, STATUS_FOLDER, finished, grading_environment,
                     load_course_config, start, status_path, write_course_config)

CONNECT_TIMEOUT = 10   # seconds to reach the scheduler and hear it answer
POLL_SECONDS = 0.5     # how often a task looks at its grading process
COURSE_FILES = ('source', 'release', str(KEY_FILE), 'gradebook.db')  # what a worker's course is made of
RETURNED = ('autograded', 'feedback')  # a student's folders there that come back


class SchedulerUnreachable(ValueError):
    """No Dask scheduler answered at the address given."""


def connect(address, timeout=CONNECT_TIMEOUT):
    """
    A Dask client connected to the scheduler at ``address``, or a clear error within
    ``timeout`` seconds (plus a few for the client itself).

    The scheduler is asked who it is first, under a hard deadline, so that an address where
    nothing listens, something else listens (an HTTP server, the dashboard) or nothing
    answers fails in time instead of hanging.

    Returns
    -------
    distributed.Client

    Raises
    ------
    SchedulerUnreachable
        When the address is malformed or no Dask scheduler answers there; the message is one
        line: what was tried and what to check.
    """
    from distributed import Client
    from distributed.comm import parse_address
    from distributed.comm.registry import backends
    address = str(address).strip()
    hint = ('check that the scheduler runs (`dask scheduler` prints its address, tcp://HOST:8786), that '
            'HOST and PORT are the ones it printed and reachable from this machine (firewall, VPN, '
            'port-forward), and that it is the scheduler\'s port, not the dashboard\'s')
    try:
        scheme, location = parse_address(address, strict=True)
        if scheme not in backends:
            raise ValueError(f'{scheme}:// is none of Dask\'s protocols, {", ".join(sorted(backends))}')
        if not location.rpartition(':')[2].isdigit():
            raise ValueError('no port')
    except (ValueError, TypeError) as error:
        raise SchedulerUnreachable(f'{address!r} is not a Dask scheduler address ({error}): give it as Dask '
                                   'prints it, tcp://HOST:PORT (tcp://127.0.0.1:8786)') from None
    try:
        with ThreadPoolExecutor(1) as thread:  # an event loop of its own, even when the caller runs one
            identity = thread.submit(asyncio.run, asyncio.wait_for(_identity(address, timeout), timeout)).result()
    except (asyncio.TimeoutError, TimeoutError):
        reason = 'nothing answered'
    except Exception as error:  # refused, unknown host, TLS, a peer that is not Dask, Dask's own timeout
        reason = f'{type(error).__name__}: {_first_line(str(error))}'
    else:
        reason = None
    if reason is not None:
        raise SchedulerUnreachable(f'no Dask scheduler answered at {address} within {timeout} s ({reason}): {hint}')
    if not isinstance(identity, dict) or identity.get('type') != 'Scheduler':
        what = identity.get('type') if isinstance(identity, dict) else type(identity).__name__
        raise SchedulerUnreachable(f'{address} answered, but as a Dask {what}, not a scheduler: give the '
                                   'scheduler\'s address (`dask scheduler` prints it)')
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as error:
        raise SchedulerUnreachable(f'could not connect a Dask client to {address} ({type(error).__name__}: '
                                   f'{_first_line(str(error))}): {hint}') from None


async def _identity(address, timeout):
    """The scheduler's answer to ``identity`` (Dask's own handshake, then one request)."""
    from distributed.comm import connect as open_comm
    from distributed.security import Security
    arguments = Security().get_connection_args('client')
    comm = await open_comm(address, timeout=timeout, **arguments)
    try:
        await comm.write({'op': 'identity', 'reply': True})
        return await comm.read()
    finally:
        comm.abort()


def _first_line(text, width=200):
    lines = text.strip().splitlines()
    return lines[0][:width] if lines else ''


def course_bundle(out, seed, limits):
    """
    What a worker needs of the course folder ``out`` to grade a submission, as data.

    Returns
    -------
    dict
        ``seed``, ``limits`` (``Limits`` as a dict) and ``files``: ``{relative path: bytes}``
        of the source and release folders, the grading key and ``gradebook.db``.
    """
    from dataclasses import asdict
    files = {}
    for name in COURSE_FILES:
        path = out / name
        paths = sorted(p for p in path.rglob('*') if p.is_file()) if path.is_dir() else [path]
        files.update({str(p.relative_to(out)): p.read_bytes() for p in paths})
    return {'seed': seed, 'limits': asdict(limits), 'files': files}


def _course(bundle):
    """The course bundle, as a task's result (see ``run_tasks``)."""
    return bundle


def run_tasks(client, out, student_ids, seed, limits, hard_limit, progress=True, isolation=None):
    """
    Grade each student (staged in ``out/submitted/``) in a task on ``client``'s cluster, in
    the order given (the largest first), and write the results into ``out``; closes
    ``client``.

    Parameters
    ----------
    client: distributed.Client
    out: Path
        The course folder, set up (``generate_assignment`` done, the submissions staged).
    student_ids: list of str
    seed: int
    limits: grading.course.Limits
    hard_limit: int
        Seconds after which a task kills its grading process.
    progress: bool
    isolation: dict, optional
        What ``grading.json`` records as isolated; its ``network`` is replaced by what the
        workers could do.

    Returns
    -------
    (dict, dict)
        ``{student_id: reason}`` for the submissions that could not be graded, and the
        isolation record with ``network`` and ``workers`` (``{student_id: the worker that
        graded it}``).
    """
    from concurrent.futures import CancelledError as FutureCancelled

    from distributed import as_completed
    from sqlalchemy.exc import SQLAlchemyError
    from tqdm import tqdm
    batch = uuid.uuid4().hex[:8]
    failures, isolated, workers = {}, {}, {}
    try:
        course = client.submit(_course, course_bundle(out, seed, limits), key=f'recsys-course-{batch}',
                               pure=False, retries=1)
        futures = {}
        for position, student_id in enumerate(student_ids):
            folder = out / 'submitted' / student_id / ASSIGNMENT
            stamp = folder / 'timestamp.txt'
            future = client.submit(grade_on_worker, (folder / NOTEBOOK).read_bytes(), student_id, course,
                                   hard_limit, stamp.read_bytes() if stamp.is_file() else None,
                                   key=f'recsys-grade-{student_id}-{batch}', pure=False, retries=1,
                                   priority=len(student_ids) - position)
            futures[future] = student_id
        with tqdm(total=len(futures), desc='grading', unit='submission', disable=not progress) as bar:
            for future in as_completed(futures, loop=client.loop):
                student_id = futures[future]
                try:
                    result = future.result()
                except (Exception, CancelledError, FutureCancelled) as error:  # failed twice, workers died, ...
                    failures[student_id] = task_failure(error)
                else:
                    workers[student_id] = result['worker']
                    isolated[result['worker']] = result['network_isolated']
                    try:
                        store_result(out, result)
                    except (OSError, ValueError, SQLAlchemyError) as error:
                        failures[student_id] = f'its results could not be written: {type(error).__name__}: {error}'
                    else:
                        if result['reason']:
                            failures[student_id] = result['reason']
                future.release()
                bar.update()
    finally:
        client.close()
    record = dict(isolation or {})
    not_isolated = sorted(worker for worker, done in isolated.items() if not done)
    record['network'] = ('unknown: no worker returned a result' if not isolated
                         else 'none (own network namespace) on every worker' if not not_isolated
                         else f'not isolated on {", ".join(not_isolated)} (unshare unavailable there)')
    record['workers'] = dict(sorted(workers.items()))
    return failures, record


def task_failure(error):
    """
    Why a submission whose task failed on the cluster was not graded.

    Returns
    -------
    str
        One sentence naming the error.
    """
    from distributed.scheduler import KilledWorker
    if isinstance(error, KilledWorker):
        return ('grading was stopped: the Dask worker grading this submission died or was lost, and so did '
                'the ones it was retried on (KilledWorker: their memory, or their machine, gone)')
    return f'grading on the cluster failed after a retry: {type(error).__name__}: {_first_line(str(error))}'


def store_result(out, result):
    """
    Write what a task returned into the course folder ``out``: its files (the graded
    notebook, the feedback page), the log and status, and the grades into ``gradebook.db``.
    Returns None.

    Raises
    ------
    ValueError
        When a returned file would land outside the student's folders.
    """
    student_id = result['student_id']
    for name, content in result['files'].items():
        path = (out / name).resolve()
        if not any(path.is_relative_to(out / folder / student_id) for folder in RETURNED):
            raise ValueError(f'a task returned {name}, outside {student_id}\'s folders')
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, content)
    logs = out / '.grading' / 'logs'
    logs.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(logs / f'{student_id}.log', result['log'])
    if result['status'] is not None:
        status_path(out, student_id).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(status_path(out, student_id), json.dumps(result['status'], indent=1).encode())
    if result['gradebook'] is not None:
        save_grades(out, student_id, result['gradebook'])


def save_grades(out, student_id, record):
    """
    Write one submission's grades and comments (``submission_record``'s) into
    ``out/gradebook.db``, with nbgrader's ``Gradebook``. Returns None.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning
    config = load_course_config(out)
    with Gradebook(f'sqlite:///{out / "gradebook.db"}', config.CourseDirectory.course_id) as gradebook, \
            warnings.catch_warnings():
        warnings.simplefilter('ignore', SAWarning)  # nbgrader's add_submission, as in autograde's log
        gradebook.update_or_create_student(student_id, **record['student'])
        submission = gradebook.update_or_create_submission(ASSIGNMENT, student_id, **record['submission'])
        for notebook in submission.notebooks:
            saved = record['notebooks'].get(notebook.name)
            if saved is None:
                continue
            for name, value in saved['notebook'].items():
                setattr(notebook, name, value)
            for rows, kept in ((notebook.grades, saved['grades']), (notebook.comments, saved['comments'])):
                for row in rows:
                    for name, value in kept.get(row.name, {}).items():
                        setattr(row, name, value)
        gradebook.db.commit()


STUDENT_FIELDS = ('first_name', 'last_name', 'email', 'lms_user_id')
GRADE_FIELDS = ('auto_score', 'manual_score', 'extra_credit', 'needs_manual_grade')
COMMENT_FIELDS = ('auto_comment', 'manual_comment')
NOTEBOOK_FIELDS = ('flagged', 'late_submission_penalty')


def submission_record(course_dir, student_id):
    """
    What nbgrader's ``autograde`` wrote into ``course_dir/gradebook.db`` for one submission.

    Returns
    -------
    dict or None
        ``student`` and ``submission`` (the rows' fields), and ``notebooks``: ``{name:
        {'notebook', 'grades', 'comments'}}``, each grade and comment by its cell's name;
        None when the gradebook has no such submission.
    """
    from nbgrader.api import Gradebook, MissingEntry
    config = load_course_config(course_dir)
    with Gradebook(f'sqlite:///{course_dir / "gradebook.db"}', config.CourseDirectory.course_id) as gradebook:
        try:
            submission = gradebook.find_submission(ASSIGNMENT, student_id)
        except MissingEntry:
            return None
        fields = lambda row, names: {name: getattr(row, name) for name in names}  # noqa: E731
        return {'student': fields(submission.student, STUDENT_FIELDS),
                'submission': {'timestamp': submission.timestamp} if submission.timestamp else {},
                'notebooks': {notebook.name: {'notebook': fields(notebook, NOTEBOOK_FIELDS),
                                              'grades': {g.name: fields(g, GRADE_FIELDS) for g in notebook.grades},
                                              'comments': {c.name: fields(c, COMMENT_FIELDS)
                                                           for c in notebook.comments}}
                              for notebook in submission.notebooks}}


def grade_on_worker(notebook, student_id, course, hard_limit, timestamp=None):
    """
    The task: grade one submission on this (Dask worker's) machine, in a private course
    folder built from ``course`` in a temporary folder, removed afterwards.

    Parameters
    ----------
    notebook: bytes
        The staged submission.
    student_id: str
    course: dict
        ``course_bundle``'s.
    hard_limit: int
        Seconds after which the grading process is killed.
    timestamp: bytes, optional
        nbgrader's ``timestamp.txt``.

    Returns
    -------
    dict
        ``student_id``; ``reason`` (None, or why the submission could not be graded);
        ``status`` (the worker's status file, or None); ``files`` (``{relative path:
        bytes}`` of the student's ``autograded/`` and ``feedback/`` folders); ``log``
        (bytes); ``gradebook`` (``submission_record``'s); ``worker`` (this worker's
        address) and ``network_isolated``.
    """
    base = _local_directory()
    (base / 'recsys-grading').mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f'{student_id}-', dir=base / 'recsys-grading'))
    try:
        private = folder / 'course'
        _build_course(private, course, student_id, notebook, timestamp, deny_reading=[base, ROOT])
        log = private / '.grading' / 'logs' / f'{student_id}.log'
        log.parent.mkdir(parents=True)
        process, started = start(private, student_id, log, _environment(), die_with_parent=True)
        reason = finished(private, student_id, process, started, hard_limit)
        while reason is False:
            time.sleep(POLL_SECONDS)
            reason = finished(private, student_id, process, started, hard_limit)
        status = status_path(private, student_id)
        files = {str(path.relative_to(private)): path.read_bytes()
                 for name in RETURNED for path in sorted((private / name / student_id).rglob('*')) if path.is_file()}
        return {'student_id': student_id, 'reason': reason, 'files': files, 'log': log.read_bytes(),
                'status': json.loads(status.read_text()) if status.is_file() else None,
                'gradebook': submission_record(private, student_id), 'worker': _worker_address(),
                'network_isolated': network_isolation_available()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _build_course(private, course, student_id, notebook, timestamp, deny_reading):
    """The private course folder: the course's files, this machine's configuration (the kernel
    reads nothing of ``deny_reading``), the submission."""
    for name, content in course['files'].items():
        path = private / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (private / SCRATCH_FOLDER).mkdir(parents=True, exist_ok=True)
    (private / STATUS_FOLDER).mkdir(parents=True, exist_ok=True)
    write_course_config(private, course['seed'], SimpleNamespace(**course['limits']), deny_reading)
    submitted = private / 'submitted' / student_id / ASSIGNMENT
    submitted.mkdir(parents=True)
    (submitted / NOTEBOOK).write_bytes(notebook)
    if timestamp is not None:
        (submitted / 'timestamp.txt').write_bytes(timestamp)


def _environment():
    """
    The grading process's environment (``grading.worker.grading_environment``, one process per
    worker thread), less the trim threshold Dask's Nanny gives the worker process's own heap
    (``MALLOC_TRIM_THRESHOLD_`` of ``distributed.nanny.pre-spawn-environ``, 64 KiB: a kernel
    training with torch under it runs about 40% slower). The kernel's threads are the worker's
    ``OMP_NUM_THREADS``: one under a Nanny (its setting for every worker process, safe with
    several workers on a host); without one, the CPUs this worker may use over its threads.
    """
    import dask
    environment = grading_environment(_worker_threads())
    trim = dask.config.get('distributed.nanny.pre-spawn-environ', {}).get('MALLOC_TRIM_THRESHOLD_')
    if trim is not None and environment.get('MALLOC_TRIM_THRESHOLD_') == str(trim):
        del environment['MALLOC_TRIM_THRESHOLD_']
    return environment


def _worker():
    try:
        from distributed import get_worker
        return get_worker()
    except (ImportError, ValueError):  # called outside a Dask worker
        return None


def _worker_address():
    worker = _worker()
    return worker.address if worker is not None else 'local'


def _worker_threads():
    worker = _worker()
    return max(1, getattr(worker, 'nthreads', 1)) if worker is not None else 1


def _local_directory():
    """
    Where the private course folders go: the Dask worker's own space (removed with the
    worker), else one in the system's temporary folder. The kernels may read none of it:
    it holds the other submissions graded on this worker, their courses (the solution, the
    key) and what Dask spills to disk.
    """
    worker = _worker()
    local = getattr(worker, 'local_directory', None) if worker is not None else None
    return Path(local or Path(tempfile.gettempdir()) / f'recsys-grading-{os.getuid()}').resolve()
