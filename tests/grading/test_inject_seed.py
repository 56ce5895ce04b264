"""
The grader's seed injected after the parameters cell (grading.preprocessors.inject_seed).
"""

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading.preprocessors.inject_seed import InjectSeed, parameters_cell_index
from tests.grading.handout import release


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
    with pytest.raises(ValueError, match='scripts/grade.py'):
        InjectSeed().preprocess(new_notebook(cells=release()), {})
