"""
What the grader's own code and its preprocessors share about a notebook's cells: a cell's
nbgrader id, and the heading of the note ``NormalizeCells``
(``grading.preprocessors.normalize_cells``) puts at the top of a graded notebook, which
``grading.course`` reads back into ``reasons.csv``.
"""

GRADER_NOTES = "**Grader's notes on this submission.**"


def grade_id(cell):
    """
    The cell's nbgrader id.

    Returns
    -------
    str or None
        ``metadata.nbgrader.grade_id``; None when the cell has no nbgrader metadata.
    """
    nbgrader = cell.get('metadata', {}).get('nbgrader')
    return nbgrader.get('grade_id') if isinstance(nbgrader, dict) else None
