"""
The handout's first step: the cells that exist only in the solution are left out.

``RemoveSolutionOnlyCells`` runs first in ``GenerateAssignment.preprocessors``
(``nbgrader_config.py``), before nbgrader's own.
"""

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode


class RemoveSolutionOnlyCells(NbGraderPreprocessor):
    """Remove the cells that exist only in the solution: those tagged ``solution`` (our
    answers and the code behind them) or ``check`` (asserts and metric bookkeeping)."""

    tags = List(Unicode(), ['solution', 'check'],
                help='tags of the cells the handout leaves out').tag(config=True)

    def preprocess(self, nb, resources):
        """
        Drop the cells carrying one of ``tags``.

        Returns
        -------
        (NotebookNode, dict)
            ``nb`` without those cells, and ``resources`` unchanged.
        """
        nb.cells = [cell for cell in nb.cells if not set(self.tags) & set(cell.metadata.get('tags', []))]
        return nb, resources
