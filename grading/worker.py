"""
Grade one student in a process of its own: ``python -m grading.worker COURSE STUDENT``.

It runs nbgrader's ``autograde`` then ``generate_feedback`` for the student, with the
course folder's ``nbgrader_config.py``, and writes what happened to
``COURSE/.grading/status/STUDENT.json``: ``{"autograde": bool, "feedback": bool,
"error": str, "seconds": float}``. ``grading.course`` starts one such process per submission, at most
``--jobs`` at a time, and kills one that runs past its time limit; ``grading.cluster`` starts
one per task on a Dask worker, in a course folder of its own there. What both share is here:
the course folder's configuration (``write_course_config``, ``load_course_config``), and
starting the process (``start``) and waiting for it (``finished``).
"""

import json
import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from spotlight_compat.atomic import atomic_write_bytes

from . import ASSIGNMENT

ROOT = Path(__file__).resolve().parent.parent
PROJECT_CONFIG = ROOT / 'nbgrader_config.py'
KEY_FILE = Path('.grading') / 'key.npz'
SCRATCH_FOLDER = Path('.grading') / 'scratch'
STATUS_FOLDER = Path('.grading') / 'status'
NOTEBOOK = f'{ASSIGNMENT}.ipynb'
EXCEPTION = re.compile(r'^\s*[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b:?')
PR_SET_PDEATHSIG = 1  # prctl(2)


def write_course_config(course_dir, seed, limits, deny_reading):
    """
    Write ``course_dir/nbgrader_config.py``: the project's configuration and this grading
    run's settings, every path in ``course_dir`` or on this machine (the MovieLens files
    are fetched into this machine's cache first: the kernels have no network).

    Parameters
    ----------
    course_dir: Path
    seed: int
        The notebook's ``SEED``.
    limits: grading.course.Limits
        Or any object with its four attributes.
    deny_reading: list of path
        The folders the kernel may not read (the course folder, the submissions, the
        project); the packages the notebook imports stay readable.
    """
    from spotlight_compat.datasets.movielens import ML100K_FILES_SHA256, get_movielens_dataset
    from spotlight_compat.datasets.cache import cache_dir
    get_movielens_dataset('100K')  # cached before any kernel runs (the kernels have no network)
    packages = [str(ROOT / name) for name in ('spotlight_compat', 'recsys_models', 'grading')]
    settings = {
        'InjectSeed.seed': seed, 'ScoreExports.key_file': str(course_dir / KEY_FILE),
        'NormalizeCells.release_notebook': str(course_dir / 'release' / ASSIGNMENT / NOTEBOOK),
        'SandboxedExecute.timeout': limits.cell_timeout,
        'SandboxedExecute.notebook_timeout': limits.notebook_timeout,
        'SandboxedExecute.memory_limit': limits.memory_bytes,
        'SandboxedExecute.max_output_bytes': limits.max_output_bytes,
        'SandboxedExecute.scratch_root': str(course_dir / SCRATCH_FOLDER),
        'SandboxedExecute.deny_reading': [str(path) for path in deny_reading],
        'SandboxedExecute.allow_reading': packages,
        'SandboxedExecute.data_files': [str(cache_dir() / 'ml-100k' / name) for name in ML100K_FILES_SHA256]}
    lines = ['# Written by scripts/grade.py: the project\'s configuration and this grading run\'s settings.',
             f'load_subconfig({str(PROJECT_CONFIG)!r})  # noqa: F821']
    lines += [f'c.{name} = {value!r}  # noqa: F821' for name, value in settings.items()]
    atomic_write_bytes(course_dir / 'nbgrader_config.py', ('\n'.join(lines) + '\n').encode())


def load_course_config(course_dir):
    """
    The course folder's nbgrader configuration.

    Returns
    -------
    traitlets.config.Config
        ``course_dir/nbgrader_config.py``, with ``CourseDirectory.root`` set to ``course_dir``.
    """
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader('nbgrader_config.py', path=str(course_dir)).load_config()
    config.CourseDirectory.root = str(course_dir)
    return config


def grade_student(course_dir, student_id):
    """
    Autograde ``student_id``'s submission and write its feedback.

    Returns
    -------
    dict
        ``autograde`` and ``feedback`` (whether each step succeeded), ``error`` (the
        exception that made a step fail) and ``seconds`` (both steps).
    """
    from nbgrader.apps import NbGraderAPI
    started = time.monotonic()
    api = NbGraderAPI(config=load_course_config(course_dir))
    status = {'autograde': False, 'feedback': False, 'error': '', 'seconds': 0.0}
    result = api.autograde(ASSIGNMENT, student_id, force=True, create=True)
    status['autograde'] = bool(result['success'])
    if result['success']:
        result = api.generate_feedback(ASSIGNMENT, student_id, force=True)
        status['feedback'] = bool(result['success'])
    if not result['success']:
        status['error'] = failure(result.get('log') or '', result.get('error') or '')
    status['seconds'] = round(time.monotonic() - started, 1)
    return status


def status_path(course_dir, student_id):
    """
    Where the worker for ``student_id`` writes its status.

    Returns
    -------
    Path
        ``course_dir/.grading/status/STUDENT.json``.
    """
    return Path(course_dir) / STATUS_FOLDER / f'{student_id}.json'


def interpreter_scripts_first(path):
    """``path`` (a ``PATH`` value) with this interpreter's scripts folder (a virtual
    environment's ``bin/``: nbgrader's ``alembic``) first, unless it is on it already."""
    scripts = sysconfig.get_path('scripts')
    folders = path.split(os.pathsep)
    return path if scripts in folders else os.pathsep.join([scripts, *filter(None, folders)])


def grading_environment(side_by_side):
    """
    The environment of a grading process: this process's, with the interpreter's scripts on
    ``PATH``, and ``OMP_NUM_THREADS``, unless set, the CPUs this process may use (its
    affinity and cgroup quota: a container's, a Slurm job's) over the ``side_by_side``
    processes that grade at once.
    """
    from dask.system import CPU_COUNT
    environment = dict(os.environ)
    environment['PATH'] = interpreter_scripts_first(environment.get('PATH', ''))
    environment.setdefault('OMP_NUM_THREADS', str(max(1, CPU_COUNT // side_by_side)))
    return environment


def start(course_dir, student_id, log_path, environment, die_with_parent=False):
    """
    Start ``python -m grading.worker COURSE STUDENT`` in a session of its own (so that
    ``finished`` can kill it with what it started), its output into ``log_path``.

    Parameters
    ----------
    die_with_parent: bool
        Have Linux kill it when the thread that started it dies (a Dask worker killed
        mid-task leaves no grading behind); elsewhere, no effect.

    Returns
    -------
    (subprocess.Popen, float)
        The process and when it started (``time.monotonic``).
    """
    with open(log_path, 'wb') as log:
        process = subprocess.Popen([sys.executable, '-m', 'grading.worker', str(course_dir), student_id],
                                   stdout=log, stderr=subprocess.STDOUT, env=environment,
                                   start_new_session=True,
                                   preexec_fn=_parent_death_signal() if die_with_parent else None)
    return process, time.monotonic()


def _parent_death_signal():
    """A ``preexec_fn`` asking Linux for SIGKILL when the parent thread dies, or None."""
    if not sys.platform.startswith('linux'):
        return None
    import ctypes
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def finished(course_dir, student_id, process, started, hard_limit):
    """
    Whether the worker ``start`` started is done, killing it past ``hard_limit`` seconds.

    Returns
    -------
    False, None or str
        False while it runs; then None, or why the submission could not be graded.
    """
    if process.poll() is None:
        if time.monotonic() - started <= hard_limit:
            return False
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return f'grading was stopped after {hard_limit} s (the notebook\'s time limit and nbgrader\'s work)'
    try:
        status = json.loads(status_path(course_dir, student_id).read_text())
    except (OSError, ValueError):
        return f'the grader\'s process for this submission failed (exit status {process.returncode})'
    if not status['autograde']:
        return f'nbgrader could not grade this submission: {status["error"]}'
    return None


def failure(log, error):
    """
    The exception that made nbgrader fail.

    Returns
    -------
    str
        The last exception line of ``log`` and ``error`` (nbgrader's final error only says
        "see the traceback above"), else the error's last line, else ``unknown``.
    """
    exceptions = [line.strip() for line in (log + '\n' + error).splitlines()
                  if EXCEPTION.match(line) and 'NbGraderException' not in line]
    return exceptions[-1] if exceptions else (error.strip().splitlines() or ['unknown'])[-1]


def main(argv=None):
    """
    Grade one student: ``argv`` (else ``sys.argv[1:]``) holds the course folder and the
    student id. Writes the status file (see the module).

    Returns
    -------
    int
        The exit status: 0 when ``autograde`` succeeded, 1 when it failed.
    """
    course_dir, student_id = (argv or sys.argv[1:])[:2]
    status = grade_student(Path(course_dir).resolve(), student_id)
    path = status_path(course_dir, student_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, json.dumps(status, indent=1).encode())
    return 0 if status['autograde'] else 1


if __name__ == '__main__':
    sys.exit(main())
