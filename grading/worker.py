"""
Grade one student in a process of its own: ``python -m grading.worker COURSE STUDENT``.

It runs nbgrader's ``autograde`` then ``generate_feedback`` for the student, with the
course folder's ``nbgrader_config.py``, and writes what happened to
``COURSE/.grading/status/STUDENT.json``: ``{"autograde": bool, "feedback": bool,
"error": str, "seconds": float}``. ``grading.course`` starts one such process per submission, at most
``--jobs`` at a time, and kills one that runs past its time limit.
"""

import json
import re
import sys
import time
from pathlib import Path

from spotlight_compat.atomic import atomic_write_bytes

from . import ASSIGNMENT

STATUS_FOLDER = Path('.grading') / 'status'
EXCEPTION = re.compile(r'^\s*[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b:?')


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
