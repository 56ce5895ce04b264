"""
Putting a submission's graded cells back the way the handout has them (grading.cells), and
the preprocessors that inject the seed and drop the solution-only cells.
"""

import copy

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grading.cells import grade_id, normalize_cells, signature
from grading.preprocessors import InjectSeed, RemoveSolutionOnlyCells, parameters_cell_index


def nbgrader(grade_id, grade=False, solution=False, locked=False, points=None):
    meta = {'grade': grade, 'grade_id': grade_id, 'locked': locked, 'schema_version': 3, 'solution': solution}
    if points is not None:
        meta['points'] = points
    return {'nbgrader': meta}


def release():
    """A handout in miniature: given cells, two answers with their checks, a hand-graded answer."""
    cells = [
        new_code_cell('SEED = 0', metadata={'tags': ['parameters']}),
        new_code_cell('data = load(SEED)'),
        new_code_cell('class Model:\n    pass', metadata=nbgrader('model', solution=True)),
        new_code_cell('# Check (2 points): the model\nassert Model().ok', metadata=nbgrader(
            'check_model', grade=True, locked=True, points=2)),
        new_code_cell('optimizer = make(Model)'),
        new_code_cell('%%time\nlosses = []\npass', metadata=nbgrader('loop', solution=True)),
        new_code_cell('# Check (3 points): the curves\nassert losses', metadata=nbgrader(
            'check_curves', grade=True, locked=True, points=3)),
        new_markdown_cell('**Question.** Why?'),
        new_markdown_cell('YOUR ANSWER HERE', metadata=nbgrader('why', grade=True, solution=True, points=2)),
        new_markdown_cell('## Part 2'),
    ]
    for number, cell in enumerate(cells):
        cell['id'] = f'cell-{number}'
    return cells


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


def test_the_seed_goes_after_the_parameters_cell_or_first():
    def seeded(cells):
        notebook = new_notebook(cells=cells)
        InjectSeed(seed=123).preprocess(notebook, {})
        return [cell.source.splitlines()[-2] if 'Injected' in cell.source else cell.source
                for cell in notebook.cells]

    assert seeded(release()[:2]) == ['SEED = 0', 'SEED = 123', 'data = load(SEED)']
    assert seeded([new_code_cell('x = 1'), new_code_cell('%time\nSEED = 0')]) == [
        'x = 1', '%time\nSEED = 0', 'SEED = 123']  # tags stripped: the cell that sets SEED
    assert seeded([new_code_cell('x = 1')]) == ['SEED = 123', 'x = 1']
    assert parameters_cell_index([new_code_cell('SEED = (')]) is None


def test_injecting_without_a_seed_says_how_to_set_it():
    import pytest
    with pytest.raises(ValueError, match='scripts/grade.py'):
        InjectSeed().preprocess(new_notebook(cells=release()), {})


def test_the_handout_leaves_out_the_solution_only_cells():
    cells = release() + [new_code_cell('answer = 42', metadata={'tags': ['solution']}),
                         new_code_cell('assert answer', metadata={'tags': ['check']})]
    notebook, _ = RemoveSolutionOnlyCells().preprocess(new_notebook(cells=cells), {})
    assert notebook.cells == release()
