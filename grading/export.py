"""
``nbgrader export`` to ``grades.csv``: one row per student, with the total and one column
per graded task (nbgrader's own CSV export has one row per assignment and no task columns).

Columns: ``student_id,score,max_score`` and then each graded cell's id, in the notebook's
order, holding its points. A task graded by hand and not graded yet is empty, and left out
of ``score`` (``max_score`` counts it).
"""

import csv
import io
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin

from spotlight_compat.atomic import atomic_write_bytes

from . import ASSIGNMENT


class TaskCsvExport(ExportPlugin):
    """Write ``grades.csv`` (or the ``--to`` path) with a column per graded task."""

    def export(self, gradebook):
        """
        Write the table of ``task_rows`` for the assignment (nbgrader's ``--assignment``, else
        the homework's) to ``--to`` (else ``grades.csv``), atomically. Returns None.
        """
        assignment = self.assignment[0] if self.assignment else ASSIGNMENT
        rows = task_rows(gradebook, assignment, self._release_order(assignment))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator='\n')
        writer.writerows(rows)
        destination = Path(self.to or 'grades.csv')
        self.log.info('Exporting grades to %s', destination)
        atomic_write_bytes(destination, buffer.getvalue().encode())


    def _release_order(self, assignment):
        """The graded cells' ids in the order of the released notebooks."""
        coursedir = getattr(self.parent, 'coursedir', None)
        if coursedir is None:
            return []
        folder = Path(coursedir.format_path(coursedir.release_directory, '.', assignment))
        return [cell.metadata['nbgrader']['grade_id'] for path in sorted(folder.glob('*.ipynb'))
                for cell in nbformat.read(str(path), as_version=4).cells
                if cell.metadata.get('nbgrader', {}).get('grade')]


def task_rows(gradebook, assignment_id, order=()):
    """
    The rows of ``grades.csv``.

    Returns
    -------
    list of list of str
        The header, then one row per student (sorted by id); the task columns follow
        ``order`` (grade ids), then the remaining tasks by name.
    """
    assignment = gradebook.find_assignment(assignment_id)
    position = {name: index for index, name in enumerate(order)}
    cells = [(notebook.name, cell) for notebook in assignment.notebooks for cell in notebook.grade_cells]
    cells.sort(key=lambda pair: (position.get(pair[1].name, len(position)), pair[1].name))
    rows = [['student_id', 'score', 'max_score'] + [cell.name for _, cell in cells]]
    max_score = sum(cell.max_score for _, cell in cells)
    for student in sorted(gradebook.students, key=lambda student: student.id):
        scores = [_score(gradebook, cell.name, notebook, assignment_id, student.id)
                  for notebook, cell in cells]
        total = sum(score for score in scores if score is not None)
        rows.append([student.id, _number(total), _number(max_score)]
                    + ['' if score is None else _number(score) for score in scores])
    return rows


def _score(gradebook, cell, notebook, assignment_id, student_id):
    try:
        grade = gradebook.find_grade(cell, notebook, assignment_id, student_id)
    except MissingEntry:
        return 0.0
    return grade.score if (grade.manual_score is not None or grade.auto_score is not None) else None


def _number(value):
    return f'{value:g}'
