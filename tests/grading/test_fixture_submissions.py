"""
Grading submissions end to end with ``scripts/grade.py`` on nbgrader's pipeline: the
solution, the blank handout and one fixture per failure mode (tests/fixtures/submissions,
their expected points in expected.csv) get their expected points per task, with the reason
in reasons.csv and in the student's feedback page, and the batch goes on.

The solution, the blank handout and three failure modes run by default; the other fixtures
are marked ``slow_grading`` (``pytest -m slow_grading tests/grading/test_fixture_submissions.py``).
"""

import csv
import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from scripts import grade
from scripts import make_handout
from scripts import release
from tests.fixtures.submissions import build
from tests.helpers import ROOT

FIXTURES = ROOT / 'tests' / 'fixtures' / 'submissions'
with open(FIXTURES / 'expected.csv', newline='') as table:
    EXPECTED = {row['submission']: row for row in csv.DictReader(table)}
TASKS = ['check_model_output', 'check_training_curves', 'check_test_rmse', 'weight_decay_answer',
         'check_next_item_scores', 'check_next_item_mrr']
SEED = 2024  # the grading seed: not the notebook's 0
LIMITS = ['--cell-timeout', '120', '--notebook-timeout', '600', '--memory-gb', '4']
ESCAPED = [ROOT / 'escaped.txt', Path('/tmp/recsys-grading-escaped.txt')]
NOTEBOOK = 'recsys_homework.ipynb'


def answered_release():
    """The students' release notebook (scripts/release.py: the install cell first), answered
    as the fixtures are."""
    solution = nbformat.read(str(ROOT / NOTEBOOK), as_version=4)
    return build.answered(release.release_notebook(solution, 'spotlight_compat-0.1.0-py3-none-any.whl', None),
                          solution)


def gather(folder, names):
    """A submissions folder holding ``names``: fixtures, the solution, the blank handout."""
    folder.mkdir()
    for name in names:
        if name == 'solution':
            shutil.copy(ROOT / 'recsys_homework.ipynb', folder / 'solution.ipynb')
        elif name == 'blank_handout':
            make_handout.main([str(folder / 'blank_handout.ipynb')])
        elif name == 'from_the_release':
            nbformat.write(answered_release(), str(folder / 'from_the_release.ipynb'))
        else:
            shutil.copy(FIXTURES / f'{name}.ipynb', folder / f'{name}.ipynb')
    return folder


def graded(tmp_path, names):
    """Grade ``names`` with two jobs; the output folder."""
    for path in ESCAPED:
        path.unlink(missing_ok=True)
    out = tmp_path / 'graded'
    grade.main([str(gather(tmp_path / 'submissions', names)), '--out', str(out), '--jobs', '2',
                '--seed', str(SEED), '--quiet', *LIMITS])
    return out


def read_csv(path):
    with open(path, newline='') as table:
        return list(csv.DictReader(table))


def assert_graded_as_expected(out, names):
    grades = {row['student_id']: row for row in read_csv(out / 'grades.csv')}
    assert sorted(grades) == sorted(names)
    reasons = read_csv(out / 'reasons.csv')
    for name in names:
        expected, row = EXPECTED[name], grades[name]
        assert {task: row[task] for task in TASKS} == {task: expected[task] for task in TASKS}, name
        assert (row['score'], row['max_score']) == (expected['score'], '13'), name
        said = ' '.join(reason['reason'] for reason in reasons if reason['student_id'] == name)
        assert expected['reason'] in said, (name, said)
        page = (out / 'feedback' / name / 'recsys_homework' / 'recsys_homework.html').read_text()
        assert expected['reason'] in html.unescape(re.sub(r'<[^>]+>', '', page)), name


DEFAULT = [name for name, row in EXPECTED.items() if row['in_default_run'] == 'yes']
SLOW = [name for name, row in EXPECTED.items() if row['in_default_run'] == 'no']


# default_run, the DEFAULT fixtures graded by the local path: tests/grading/conftest.py (once per session,
# shared with tests/grading/test_cluster.py).


def test_the_solution_the_blank_handout_and_three_failures_get_their_points(default_run):
    assert len(DEFAULT) >= 5 and {'solution', 'blank_handout'} <= set(DEFAULT)
    assert_graded_as_expected(default_run, DEFAULT)


def test_the_grader_computes_the_metrics_itself_with_its_own_seed(default_run):
    notebook = nbformat.read(str(default_run / 'autograded' / 'solution' / 'recsys_homework' / NOTEBOOK), 4)
    injected = [cell for cell in notebook.cells if 'injected-parameters' in cell.metadata.get('tags', [])]
    assert len(injected) == 1 and f'SEED = {SEED}' in injected[0].source
    reasons = {row['task']: row['reason'] for row in read_csv(default_run / 'reasons.csv')
               if row['student_id'] == 'fake_metrics'}
    # The kernel's own our_rmse said 0.925 and its sequence_mrr_score 0.05: the visible checks passed.
    assert reasons['check_test_rmse'].startswith('GradingFailure: test RMSE 3.')
    assert reasons['check_next_item_mrr'].startswith('GradingFailure: test MRR 0.0')


def test_a_submission_reads_nothing_of_the_course_and_writes_nothing_outside(default_run):
    reasons = [row['reason'] for row in read_csv(default_run / 'reasons.csv')
               if row['student_id'] == 'escape']
    assert any(reason.startswith('PermissionError: grading: reading') and 'recsys_homework.ipynb' in reason
               for reason in reasons)
    assert any(reason.startswith('PermissionError: grading: writing') for reason in reasons)
    assert not any(path.exists() for path in ESCAPED + [default_run / '.grading' / 'escaped.txt'])
    assert not (default_run / '.grading' / 'scratch').exists()  # the scratch folders are gone


def test_the_output_is_an_nbgrader_course_folder(default_run):
    import json
    from nbgrader.api import Gradebook
    record = json.loads((default_run / 'grading.json').read_text())
    assert record['seed'] == SEED and record['submissions'] == len(DEFAULT) and record['jobs'] == 2
    with Gradebook(f'sqlite:///{default_run / "gradebook.db"}') as gradebook:
        assert sorted(student.id for student in gradebook.students) == sorted(DEFAULT)
        assert gradebook.find_submission('recsys_homework', 'solution').score == 11
    config = (default_run / 'nbgrader_config.py').read_text()
    assert re.search(r"load_subconfig\('.*nbgrader_config.py'\)", config)


@pytest.mark.slow_grading
def test_every_other_failure_mode_gets_its_points(tmp_path):
    assert_graded_as_expected(graded(tmp_path, SLOW), SLOW)


def test_the_fixtures_follow_the_notebook():
    assert build.main(['--check']) == 0, 'run python -m tests.fixtures.submissions.build'


def test_grading_refuses_a_folder_it_would_overwrite_or_no_submissions(tmp_path, capsys):
    (tmp_path / 'out').mkdir()
    (tmp_path / 'out' / 'old.txt').write_text('kept')
    for arguments, message in (([str(FIXTURES), '--out', str(tmp_path / 'out')], 'not an empty folder'),
                               ([str(tmp_path / 'absent'), '--out', str(tmp_path / 'new')], 'is not a folder'),
                               ([str(FIXTURES), '--out', str(tmp_path / 'new'), '--jobs', '0'], 'jobs must be')):
        with pytest.raises(SystemExit) as exit:
            grade.main(arguments)
        assert exit.value.code == 2 and message in capsys.readouterr().err
    assert (tmp_path / 'out' / 'old.txt').read_text() == 'kept'
