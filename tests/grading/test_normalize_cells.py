"""
Putting a submission's graded cells back the way the handout has them
(grading.preprocessors.normalize_cells), with the shared ``grading.cells.grade_id``.
"""

import copy

from nbformat.v4 import new_code_cell, new_markdown_cell

from grading.cells import grade_id
from grading.preprocessors.normalize_cells import normalize_cells, signature
from tests.grading.handout import nbgrader, release


def answered():
    cells = copy.deepcopy(release())
    cells[2].source = 'class Model:\n    ok = True'
    cells[5].source = '%%time\nlosses = []\nfor epoch in range(3):\n    losses.append(epoch)'
    cells[8].source = 'Because it overfits.'
    return cells


def ids(cells):
    return [grade_id(cell) or signature(cell)[1][:12] for cell in cells]


EXPECTED = ['SEED = 0', 'data = load(', 'model', 'check_model', 'optimizer = ', 'loop', 'check_curves',
            '**Question.*', 'why', '## Part 2']


def test_an_untouched_submission_is_left_as_it_is():
    cells, notes = normalize_cells(answered(), release())
    assert ids(cells) == EXPECTED and notes == []
    assert cells == answered()


def test_a_deleted_check_is_put_back_after_the_cells_added_to_its_answer():
    submission = answered()
    del submission[6]  # check_curves
    submission.insert(6, new_code_cell('plot(losses)'))  # the student's own cell after the loop
    cells, notes = normalize_cells(submission, release())
    assert ids(cells) == EXPECTED[:6] + ['plot(losses)'] + EXPECTED[6:]
    assert notes == ["check 'check_curves' was missing: the handout's was put back"]


def test_a_check_moved_away_goes_back_and_one_left_in_its_stretch_stays():
    submission = answered()
    moved = submission.pop(3)  # check_model, moved to the top
    submission.insert(0, moved)
    submission.insert(6, new_code_cell('print(losses)'))  # between the loop and its check: stays there
    cells, notes = normalize_cells(submission, release())
    assert ids(cells) == EXPECTED[:6] + ['print(losses'] + EXPECTED[6:]
    assert notes == ["check 'check_model' was moved: it runs where the handout has it"]


def test_changed_metadata_is_restored_and_unknown_ids_removed():
    submission = answered()
    submission[6].metadata['nbgrader'].update(solution=True, locked=False, points=30)
    submission[6].source = 'assert True'
    submission.insert(1, new_code_cell('x = 1', metadata=nbgrader('mine', grade=True, points=100)))
    cells, notes = normalize_cells(submission, release())
    assert cells[7].metadata['nbgrader'] == release()[6].metadata['nbgrader']
    assert 'nbgrader' not in cells[1].metadata
    assert len(notes) == 2 and "'check_curves' was changed" in notes[1] and "'mine'" in notes[0]


def test_stripped_metadata_is_recognised_answers_included():
    submission = answered()
    for cell in submission:
        cell.metadata = {}
    cells, notes = normalize_cells(submission, release())
    assert ids(cells) == EXPECTED
    assert [cell.metadata.get('nbgrader') for cell in cells[2:9]] == [cell.metadata.get('nbgrader')
                                                                      for cell in release()[2:9]]
    assert cells[8].source == 'Because it overfits.'  # the rewritten answer, recognised by its place
    assert len(notes) == 5 and all('lost its nbgrader metadata' in note for note in notes)


def test_an_unreadable_submission_gets_every_check_and_the_unanswered_question():
    cells, notes = normalize_cells([new_markdown_cell('**This submission could not be graded:** empty.')],
                                   release())
    assert ids(cells) == ['**This submi', 'check_model', 'check_curves', 'why']
    assert cells[3].source == 'YOUR ANSWER HERE'  # unanswered: nbgrader scores it 0
    assert len(notes) == 3
