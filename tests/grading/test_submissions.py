"""
Finding and reading the submissions (grading.submissions): both layouts, the folders
refused, an unreadable submission staged as its reason.
"""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading import submissions


def test_submissions_are_found_in_either_layout(tmp_path):
    flat = tmp_path / 'flat'
    flat.mkdir()
    (flat / 'ada.ipynb').write_text('{}')
    (flat / 'notes.txt').write_text('ignored')
    assert [(s.student_id, s.path.name) for s in submissions.find_submissions(flat)] == [('ada', 'ada.ipynb')]
    course = tmp_path / 'course'
    (course / 'submitted' / 'bob' / 'recsys_homework').mkdir(parents=True)
    (course / 'submitted' / 'bob' / 'recsys_homework' / 'mine.ipynb').write_text('{}')
    (course / 'submitted' / 'bob' / 'recsys_homework' / 'timestamp.txt').write_text('2024-01-01 10:00:00')
    found = submissions.find_submissions(course)
    assert [s.student_id for s in found] == ['bob'] and found[0].timestamp.name == 'timestamp.txt'


@pytest.mark.parametrize('files, message', [
    ({}, 'no submissions'),
    ({'bad name.ipynb': '{}'}, 'not usable'),
    ({'ada.ipynb': '{}', 'ada/recsys_homework/ada.ipynb': '{}'}, 'several submissions for ada'),
])
def test_unusable_submission_folders_are_refused(tmp_path, files, message):
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    with pytest.raises(ValueError, match=message):
        submissions.find_submissions(tmp_path)


def test_an_unreadable_submission_is_staged_as_its_reason(tmp_path):
    cases = {'empty': b'', 'script': b'print(1)\n', 'no_cells': nbformat.writes(new_notebook()).encode(),
             'fine': nbformat.writes(new_notebook(cells=[new_code_cell('x = 1')])).encode()}
    reasons = {}
    for name, content in cases.items():
        (tmp_path / f'{name}.ipynb').write_bytes(content)
        submission = submissions.Submission(name, tmp_path / f'{name}.ipynb')
        reasons[name] = submissions.stage(submission, tmp_path / 'course')
    assert reasons == {'empty': 'the file is empty: hand in the notebook saved from Jupyter',
                       'script': 'the file is not a Jupyter notebook (NotJSONError): hand in the .ipynb file',
                       'no_cells': 'the notebook has no cells', 'fine': None}
    staged = nbformat.read(str(tmp_path / 'course/submitted/script/recsys_homework/recsys_homework.ipynb'), 4)
    assert 'could not be graded' in staged.cells[0].source and staged.metadata.kernelspec.name == 'python3'
