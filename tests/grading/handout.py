"""
A handout in miniature, for the preprocessors' tests: a parameters cell, given cells, two
answers with their checks, a hand-graded answer (not a test module: the tests import it).
"""

from nbformat.v4 import new_code_cell, new_markdown_cell


def nbgrader(grade_id, grade=False, solution=False, locked=False, points=None):
    """A cell's metadata: nbgrader's, as the handout has it."""
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
