"""
Grade one student in a process of its own: ``python -m grading.worker COURSE STUDENT``.

It runs nbgrader's ``autograde`` then ``generate_feedback`` for the student, with the
course folder's ``nbgrader_config.py``, and writes what happened to
``COURSE/.grading/status/STUDENT.json``: ``{"autograde": bool, "feedback": bool,
"error": str, "seconds": float}``. ``grading.course`` starts one such process per submission, at most
``--jobs`` at a time, and kills one that runs past its time limit.
"""

import json
import sys
import time
from pathlib import Path

from spotlight_compat._atomic import atomic_write_bytes

from . import ASSIGNMENT

STATUS_FOLDER = Path('.grading') / 'status'


def load_course_config(course_dir):
    """The course folder's nbgrader configuration, rooted there."""
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
        failing step's last log lines) and ``seconds`` (both steps).
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
        status['error'] = _last_lines(result.get('error') or result.get('log') or '')
    status['seconds'] = round(time.monotonic() - started, 1)
    return status


def status_path(course_dir, student_id):
    """Where the worker for ``student_id`` writes its status."""
    return Path(course_dir) / STATUS_FOLDER / f'{student_id}.json'


def _last_lines(text, count=12):
    return '\n'.join(text.strip().splitlines()[-count:])


def main(argv=None):
    course_dir, student_id = (argv or sys.argv[1:])[:2]
    status = grade_student(Path(course_dir).resolve(), student_id)
    path = status_path(course_dir, student_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, json.dumps(status, indent=1).encode())
    return 0 if status['autograde'] else 1


if __name__ == '__main__':
    sys.exit(main())
