"""
Finding and reading the submissions: a folder of ``STUDENT.ipynb`` files, or nbgrader's
``submitted/STUDENT/ASSIGNMENT/`` layout (the folder itself, or a course folder holding
``submitted/``).

A file that cannot be graded (empty, too large, not a notebook, a notebook without cells)
is replaced by a notebook holding only the reason, so that nbgrader grades it 0 on every
task and its feedback says why.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook

from spotlight_compat.atomic import atomic_write_bytes

from . import ASSIGNMENT

STUDENT_ID = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$')
MAX_NOTEBOOK_BYTES = 50 * 2 ** 20
KERNELSPEC = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}


@dataclass(frozen=True)
class Submission:
    """A student's hand-in: the notebook's path and, in nbgrader's layout, its folder."""

    student_id: str
    path: Path

    @property
    def timestamp(self):
        """
        nbgrader's ``timestamp.txt`` next to the notebook.

        Returns
        -------
        Path or None
            None when there is none.
        """
        stamp = self.path.parent / 'timestamp.txt'
        return stamp if stamp.is_file() else None


def find_submissions(folder, assignment=ASSIGNMENT):
    """
    The submissions in ``folder``, sorted by student id.

    Returns
    -------
    list of Submission

    Raises
    ------
    ValueError
        When ``folder`` holds no submission, a student id is not usable as a folder name,
        or a student handed in several notebooks.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f'{folder} is not a folder: pass the folder of STUDENT.ipynb files or '
                         'nbgrader\'s submitted/ folder')
    if (folder / 'submitted').is_dir() and not any(folder.glob('*.ipynb')):
        folder = folder / 'submitted'
    found = [Submission(path.stem, path) for path in sorted(folder.glob('*.ipynb')) if path.is_file()]
    found += [_nbgrader_submission(student, assignment) for student in sorted(folder.iterdir())
              if student.is_dir() and not student.name.startswith('.')]
    found = [submission for submission in found if submission is not None]
    if not found:
        raise ValueError(f'no submissions in {folder}: expected STUDENT.ipynb files or nbgrader\'s '
                         f'submitted/STUDENT/{assignment}/ folders')
    _check_ids([submission.student_id for submission in found])
    return sorted(found, key=lambda submission: submission.student_id)


def _nbgrader_submission(student, assignment):
    notebooks = sorted((student / assignment).glob('*.ipynb')) if (student / assignment).is_dir() else []
    if not notebooks:
        return None
    preferred = [path for path in notebooks if path.stem == assignment]
    if len(notebooks) > 1 and not preferred:
        raise ValueError(f'{student / assignment} holds {len(notebooks)} notebooks and none is '
                         f'{assignment}.ipynb: keep only the one to grade')
    return Submission(student.name, (preferred or notebooks)[0])


def _check_ids(ids):
    for student_id in ids:
        if not STUDENT_ID.match(student_id):
            raise ValueError(f'student id {student_id!r} (from its file or folder name) is not usable: use '
                             'letters, digits, ".", "_", "@" or "-", starting with a letter or digit')
    duplicates = sorted({student_id for student_id in ids if ids.count(student_id) > 1})
    if duplicates:
        raise ValueError(f'several submissions for {", ".join(duplicates)}: keep one per student')


def read_submission(path):
    """
    The notebook at ``path``, or the reason it cannot be graded.

    Returns
    -------
    (NotebookNode or None, str or None)
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return None, 'the file is empty: hand in the notebook saved from Jupyter'
    if size > MAX_NOTEBOOK_BYTES:
        return None, (f'the file is {size / 2 ** 20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2 ** 20} MB '
                      'limit: clear the outputs before handing it in')
    try:
        notebook = nbformat.read(str(path), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises many kinds: JSON, schema, version, encoding
        return None, f'the file is not a Jupyter notebook ({type(error).__name__}): hand in the .ipynb file'
    if not notebook.cells:
        return None, 'the notebook has no cells'
    return notebook, None


def placeholder(reason):
    """
    What is graded in place of an unreadable submission.

    Returns
    -------
    NotebookNode
        A notebook holding only ``reason``, in a markdown cell.
    """
    notebook = new_notebook(cells=[new_markdown_cell(f'**This submission could not be graded:** {reason}.')],
                            metadata={'kernelspec': dict(KERNELSPEC)})
    return notebook


def stage(submission, course_dir, assignment=ASSIGNMENT):
    """
    Copy ``submission`` into ``course_dir/submitted/STUDENT/ASSIGNMENT/``, as nbgrader
    expects it, replacing an unreadable one by ``placeholder``.

    Returns
    -------
    str or None
        Why the submission could not be read, or None.
    """
    notebook, problem = read_submission(submission.path)
    if notebook is None:
        notebook = placeholder(problem)
    notebook.metadata.setdefault('kernelspec', dict(KERNELSPEC))
    destination = Path(course_dir) / 'submitted' / submission.student_id / assignment
    destination.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(destination / f'{assignment}.ipynb', nbformat.writes(notebook).encode())
    if submission.timestamp is not None:
        atomic_write_bytes(destination / 'timestamp.txt', submission.timestamp.read_bytes())
    return problem
