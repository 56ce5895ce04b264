"""
The verdicts the grader computed from the exported predictions, written into the checks.

``ScoreExports`` runs after the execution, before ``SaveAutoGrades``, in
``Autograde.autograde_preprocessors`` (``nbgrader_config.py``): the hidden tests exported
the student's predictions (``grading.kernel.hidden``), and the grader's own process scores
them (``grading.scoring``) against the grading key (``grading.key``).
"""

import shutil

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from ..cells import grade_id
from ..key import load_key
from ..scoring import score_exports

GRADER_ERROR = 'GradingFailure'


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
        """
        Score the exports, record each check's verdict, and remove the export folder.

        Returns
        -------
        (NotebookNode, dict)
            ``nb`` with the verdicts in its checks' outputs, and ``resources``.

        Raises
        ------
        ValueError
            When ``resources`` names no export folder (``SandboxedExecute`` did not run).
        FileNotFoundError
            When there is no grading key at ``key_file``.
        """
        key = load_key(self.key_file)
        folder = resources.get('grading', {}).get('export_dir')
        if folder is None:
            raise ValueError('ScoreExports needs the export folder: run SandboxedExecute before it')
        try:
            verdicts = score_exports(folder, key)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for cell in nb.cells:
            verdict = verdicts.get(grade_id(cell))
            if verdict is not None and cell.cell_type == 'code':
                record_verdict(cell, verdict)
        return nb, resources


def record_verdict(cell, verdict):
    """
    Append ``verdict`` to a check cell's outputs, unless the cell already failed.

    A passed verdict adds a ``Grader: ...`` line, a failed one a ``GradingFailure`` error.
    Returns None (the cell is changed in place).
    """
    if any(output.output_type == 'error' for output in cell.outputs):
        return
    if verdict.passed:
        cell.outputs.append(new_output('stream', name='stdout', text=f'Grader: {verdict.reason}.\n'))
    else:
        cell.outputs.append(new_output('error', ename=GRADER_ERROR, evalue=verdict.reason,
                                       traceback=[f'{GRADER_ERROR}: {verdict.reason}']))
