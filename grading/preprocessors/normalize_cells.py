"""
Putting a submission's graded cells back the way the handout has them.

Students delete cells, move them, change their nbgrader metadata or lose it all (a notebook
copied into a fresh one). nbgrader identifies its cells by that metadata alone, so before
``OverwriteCells`` the ``NormalizeCells`` preprocessor lines the submission up with the
released handout:

* a cell whose nbgrader id the handout does not have loses its nbgrader metadata; one whose
  id it has gets the handout's metadata back (its points, its locked state);
* cells without metadata are recognised by their first line, the handout's cells being
  aligned with the submission's in order; an answer cell the student rewrote entirely is
  the first cell of its kind after the cell the handout has just before it;
* a check stays where the student left it if that is where the handout has it (between the
  recognised cells the handout has around it); one missing or moved elsewhere is put back
  there, after the cells the student added to the answer. ``OverwriteCells`` then restores
  every check's source, hidden tests included.

What was changed is listed in a note at the top of the graded notebook.
"""

import copy
from difflib import SequenceMatcher

import nbformat
from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from ..cells import GRADER_NOTES, grade_id


class NormalizeCells(NbGraderPreprocessor):
    """Line a submission's nbgrader cells up with the released handout (see the module)."""

    release_notebook = Unicode('', help='the released handout notebook').tag(config=True)

    def preprocess(self, nb, resources):
        """
        Line ``nb``'s cells up with the handout's, with a note listing what was changed.

        Returns
        -------
        (NotebookNode, dict)
            ``nb`` with its cells normalized (and, when something changed, the grader's
            notes first), and ``resources`` unchanged.

        Raises
        ------
        ValueError
            When ``release_notebook`` is not set.
        """
        if not self.release_notebook:
            raise ValueError('NormalizeCells.release_notebook is not set: grade with scripts/grade.py')
        release = nbformat.read(self.release_notebook, as_version=4)
        nb.cells, notes = normalize_cells(nb.cells, release.cells)
        if notes:
            bullets = '\n'.join(f'* {note}' for note in notes)
            nb.cells.insert(0, new_markdown_cell(f'{GRADER_NOTES}\n\n{bullets}'))
        return nb, resources


def is_check(cell):
    """
    Whether ``cell`` is a locked test cell.

    Returns
    -------
    bool
        True when the cell is graded and not an answer.
    """
    nbgrader = cell.metadata.get('nbgrader', {})
    return bool(nbgrader.get('grade')) and not nbgrader.get('solution')


def is_graded_answer(cell):
    """
    Whether ``cell`` is an answer graded by hand.

    Returns
    -------
    bool
        True when the cell is graded and an answer.
    """
    nbgrader = cell.metadata.get('nbgrader', {})
    return bool(nbgrader.get('grade')) and bool(nbgrader.get('solution'))


def signature(cell):
    """
    What recognises a cell that lost its metadata.

    Returns
    -------
    (str, str)
        The cell's type and its first meaningful line (cell magics such as ``%%time``
        skipped; empty when there is none).
    """
    lines = [line.strip() for line in cell.source.splitlines() if line.strip() and not line.startswith('%%')]
    return cell.cell_type, lines[0] if lines else ''


def normalize_cells(cells, release_cells):
    """
    The submission's cells lined up with the handout's (see the module), and the notes.

    Parameters
    ----------
    cells: list of NotebookNode
        The submission's cells (copied, not modified).
    release_cells: list of NotebookNode
        The released handout's cells.

    Returns
    -------
    (list of NotebookNode, list of str)
    """
    cells = [copy.deepcopy(cell) for cell in cells]
    released = {grade_id(cell): cell for cell in release_cells if grade_id(cell)}
    notes = _restore_known_metadata(cells, released)
    matches = _align(release_cells, cells)
    notes += _adopt_stripped_cells(release_cells, cells, matches)
    return _put_checks_back(release_cells, cells, matches, notes)


def _restore_known_metadata(cells, released):
    notes, seen = [], set()
    for cell in cells:
        if 'nbgrader' not in cell.metadata:
            continue
        identifier = grade_id(cell)
        if identifier not in released or identifier in seen:
            del cell.metadata['nbgrader']
            notes.append(f'a cell carried nbgrader metadata the handout does not have (id {identifier!r}): '
                         'removed')
            continue
        seen.add(identifier)
        expected = released[identifier].metadata['nbgrader']
        if _comparable(cell.metadata['nbgrader']) != _comparable(expected):
            notes.append(f'the metadata of cell {identifier!r} was changed: the handout\'s was put back')
        cell.metadata['nbgrader'] = copy.deepcopy(expected)
    return notes


def _comparable(metadata):
    return {key: metadata.get(key) for key in ('grade', 'solution', 'locked', 'points', 'grade_id')}


def _align(release_cells, cells):
    """{release index: submission index}: same nbgrader id, else same signature, in order."""
    by_id = {grade_id(cell): index for index, cell in enumerate(cells) if grade_id(cell)}
    matches = {r: by_id[grade_id(cell)] for r, cell in enumerate(release_cells) if grade_id(cell) in by_id}
    taken = set(matches.values())
    free_release = [r for r in range(len(release_cells)) if r not in matches]
    free_cells = [s for s in range(len(cells)) if s not in taken]
    matcher = SequenceMatcher(None, [signature(release_cells[r]) for r in free_release],
                              [signature(cells[s]) for s in free_cells], autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            matches[free_release[block.a + offset]] = free_cells[block.b + offset]
    return matches


def _adopt_stripped_cells(release_cells, cells, matches):
    """Give release metadata to matched cells without it, and to rewritten answers."""
    notes = []
    for r, s in sorted(matches.items()):
        if grade_id(release_cells[r]) and not grade_id(cells[s]):
            cells[s].metadata['nbgrader'] = copy.deepcopy(release_cells[r].metadata['nbgrader'])
            notes.append(f'cell {grade_id(release_cells[r])!r} had lost its nbgrader metadata: restored')
    for r, release_cell in enumerate(release_cells):
        if r in matches or not release_cell.metadata.get('nbgrader', {}).get('solution'):
            continue
        if r == 0 or r - 1 not in matches:  # only where the cell before it is recognised
            continue
        low, high = _gap(r, matches, len(cells))
        taken = set(matches.values())
        candidates = [s for s in range(low, high) if s not in taken and 'nbgrader' not in cells[s].metadata
                      and cells[s].cell_type == release_cell.cell_type]
        if candidates:
            matches[r] = candidates[0]
            cells[candidates[0]].metadata['nbgrader'] = copy.deepcopy(release_cell.metadata['nbgrader'])
            notes.append(f'answer cell {grade_id(release_cell)!r} had lost its nbgrader metadata: '
                         'taken to be the first cell of its kind after the one the handout has before it')
    return notes


def _gap(r, matches, length):
    """The submission positions between the matches of release cell ``r``'s neighbours."""
    before = [s for q, s in matches.items() if q < r]
    after = [s for q, s in matches.items() if q > r]
    return (max(before) + 1 if before else 0), (min(after) if after else length)


def _put_checks_back(release_cells, cells, matches, notes):
    """
    Keep each check that lies where the handout has it: after the recognised cell the
    handout has before it and before the one it has after it. Put the others back there,
    last in that stretch, so that the cells a student added to an answer run before it.
    """
    placed = {}
    stays = set()
    for r, release_cell in enumerate(release_cells):
        if not is_check(release_cell) and not (is_graded_answer(release_cell) and r not in matches):
            continue
        low, high = _window(r, release_cells, matches, len(cells))
        if r in matches and low < matches[r] < high:
            stays.add(matches[r])
            continue
        placed.setdefault(high, []).append(copy.deepcopy(release_cell))
        kind = 'check' if is_check(release_cell) else 'answer cell'
        what = ('moved: it runs where the handout has it' if r in matches
                else "missing: the handout's was put back")
        notes.append(f'{kind} {grade_id(release_cell)!r} was {what}')
    result = []
    for s, cell in enumerate(cells):
        result += placed.get(s, [])
        if s in stays or not is_check(cell):
            result.append(cell)
    return result + placed.get(len(cells), []), notes


def _window(r, release_cells, matches, length):
    """The submission positions of the recognised non-check cells around release cell ``r``."""
    recognised = [q for q in sorted(matches) if not is_check(release_cells[q])]
    before = [matches[q] for q in recognised if q < r]
    after = [matches[q] for q in recognised if q > r]
    return (before[-1] if before else -1), (min(after) if after else length)
