"""
Running a submission with the grader's seed, one the notebook never saw.

``InjectSeed`` runs just before the execution in ``Autograde.autograde_preprocessors``
(``nbgrader_config.py``); ``scripts/grade.py`` draws the seed and sets ``InjectSeed.seed``.
"""

import ast

from nbformat.v4 import new_code_cell
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer


class InjectSeed(NbGraderPreprocessor):
    """
    Run the submission with the grader's seed: a cell setting ``SEED`` (and no
    ``RESULTS_DIR``) right after the parameters cell, as papermill injects parameters.

    The parameters cell is the one tagged ``parameters``; when the tags were stripped, the
    first code cell that assigns ``SEED``; when there is none, the seed goes first.
    """

    seed = Integer(None, allow_none=True, help='the seed the submissions run with').tag(config=True)

    def preprocess(self, nb, resources):
        """
        Insert the seed's cell (tagged ``injected-parameters``) after the parameters cell.

        Returns
        -------
        (NotebookNode, dict)
            ``nb`` with the cell inserted, and ``resources`` unchanged.

        Raises
        ------
        ValueError
            When ``seed`` is not set.
        """
        if self.seed is None:
            raise ValueError('InjectSeed.seed is not set: grade with scripts/grade.py, which draws it, '
                             'or set c.InjectSeed.seed in nbgrader_config.py')
        source = (f'# Injected by the grader: this run uses a seed the notebook never saw.\n'
                  f'SEED = {self.seed}\nRESULTS_DIR = None')
        index = parameters_cell_index(nb.cells)
        nb.cells.insert(0 if index is None else index + 1,
                        new_code_cell(source, metadata={'tags': ['injected-parameters']}))
        return nb, resources


def parameters_cell_index(cells):
    """
    Find the parameters cell among ``cells``.

    Returns
    -------
    int or None
        The index of the code cell tagged ``parameters``, else of the first code cell that
        assigns ``SEED``; None when there is neither.
    """
    for index, cell in enumerate(cells):
        if cell.cell_type == 'code' and 'parameters' in cell.metadata.get('tags', []):
            return index
    for index, cell in enumerate(cells):
        if cell.cell_type == 'code' and 'SEED' in _assigned_names(cell.source):
            return index
    return None


def _assigned_names(source):
    try:
        python = [line for line in source.splitlines() if not line.lstrip().startswith(('%', '!'))]
        tree = ast.parse('\n'.join(python))
    except SyntaxError:
        return set()
    return {target.id for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}
