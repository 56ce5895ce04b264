"""
nbgrader preprocessors for what nbgrader lacks: the solution-only cells, the unseen seed,
and the verdicts the grader computes from the exported predictions.

They are named in ``nbgrader_config.py``: ``RemoveSolutionOnlyCells`` first in
``GenerateAssignment.preprocessors``; ``InjectSeed`` before the execution and
``ScoreExports`` after it in ``Autograde.autograde_preprocessors``.
"""

import ast
import shutil

from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, List, Unicode

from .key import load_key
from .scoring import score_exports

GRADER_ERROR = 'GradingFailure'


class RemoveSolutionOnlyCells(NbGraderPreprocessor):
    """Remove the cells that exist only in the solution: those tagged ``solution`` (our
    answers and the code behind them) or ``check`` (asserts and metric bookkeeping)."""

    tags = List(Unicode(), ['solution', 'check'],
                help='tags of the cells the handout leaves out').tag(config=True)

    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if not set(self.tags) & set(cell.metadata.get('tags', []))]
        return nb, resources


class InjectSeed(NbGraderPreprocessor):
    """
    Run the submission with the grader's seed: a cell setting ``SEED`` (and no
    ``RESULTS_DIR``) right after the parameters cell, as papermill injects parameters.

    The parameters cell is the one tagged ``parameters``; when the tags were stripped, the
    first code cell that assigns ``SEED``; when there is none, the seed goes first.
    """

    seed = Integer(None, allow_none=True, help='the seed the submissions run with').tag(config=True)

    def preprocess(self, nb, resources):
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
    """The index of the parameters cell among ``cells``, or None."""
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


class ScoreExports(NbGraderPreprocessor):
    """
    Give each graded check the verdict the grader computed from the exported predictions.

    A check whose cell already failed keeps its error. Otherwise a failed verdict appends
    an error output (nbgrader then scores the cell 0) and a passed one a line saying what
    was measured. The exports are read from the folder ``SandboxedExecute`` left in
    ``resources['grading']['export_dir']``.
    """

    key_file = Unicode('', help='the grading key written by scripts/grade.py').tag(config=True)

    def preprocess(self, nb, resources):
        key = load_key(self.key_file)
        folder = resources.get('grading', {}).get('export_dir')
        if folder is None:
            raise ValueError('ScoreExports needs the export folder: run SandboxedExecute before it')
        try:
            verdicts = score_exports(folder, key)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for cell in nb.cells:
            verdict = verdicts.get(cell.metadata.get('nbgrader', {}).get('grade_id'))
            if verdict is not None and cell.cell_type == 'code':
                record_verdict(cell, verdict)
        return nb, resources


def record_verdict(cell, verdict):
    """Append ``verdict`` to a check cell's outputs, unless the cell already failed."""
    if any(output.output_type == 'error' for output in cell.outputs):
        return
    if verdict.passed:
        cell.outputs.append(new_output('stream', name='stdout', text=f'Grader: {verdict.reason}.\n'))
    else:
        cell.outputs.append(new_output('error', ename=GRADER_ERROR, evalue=verdict.reason,
                                       traceback=[f'{GRADER_ERROR}: {verdict.reason}']))
