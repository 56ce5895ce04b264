"""
``grades.csv`` with a column per graded task (grading.export), from a gradebook made here.
"""

from grading.course import put_interpreter_scripts_on_path
from grading.export import task_rows


def test_the_grades_table_has_a_column_per_task(tmp_path):
    from nbgrader.api import Gradebook

    put_interpreter_scripts_on_path()  # the gradebook runs alembic, which needs no activated venv then
    with Gradebook(f'sqlite:///{tmp_path / "gradebook.db"}') as gradebook:
        gradebook.add_assignment('recsys_homework')
        gradebook.add_notebook('recsys_homework', 'recsys_homework')
        for name, points, kind in (('check_b', 2, 'code'), ('check_a', 3, 'code'), ('why', 2, 'markdown')):
            gradebook.add_grade_cell(name, 'recsys_homework', 'recsys_homework', max_score=points, cell_type=kind)
        for student_id, scores in (('zoe', (2, 0)), ('al', (0, 3))):
            gradebook.add_student(student_id)
            gradebook.add_submission('recsys_homework', student_id)
            for name, score in zip(('check_b', 'check_a'), scores):
                gradebook.find_grade(name, 'recsys_homework', 'recsys_homework', student_id).auto_score = score
        gradebook.find_grade('why', 'recsys_homework', 'recsys_homework', 'al').manual_score = 1.5
        gradebook.db.commit()
        rows = task_rows(gradebook, 'recsys_homework', order=['check_b', 'check_a', 'why'])
    assert rows == [['student_id', 'score', 'max_score', 'check_b', 'check_a', 'why'],
                    ['al', '4.5', '7', '0', '3', '1.5'],
                    ['zoe', '2', '7', '2', '0', '']]
