"""
The handout without the solution-only cells (grading.preprocessors.remove_solution_only_cells).
"""

from nbformat.v4 import new_code_cell, new_notebook

from grading.preprocessors.remove_solution_only_cells import RemoveSolutionOnlyCells
from tests.grading.handout import release


def test_the_handout_leaves_out_the_solution_only_cells():
    cells = release() + [new_code_cell('answer = 42', metadata={'tags': ['solution']}),
                         new_code_cell('assert answer', metadata={'tags': ['check']})]
    notebook, _ = RemoveSolutionOnlyCells().preprocess(new_notebook(cells=cells), {})
    assert notebook.cells == release()
