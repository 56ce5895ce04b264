"""
Write the students' handout from the solution notebook.

The solution follows nbgrader's conventions: what the student writes lies between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` in cells marked as nbgrader solution
cells, and nbgrader's own ``ClearSolutions`` replaces each region by ``pass`` (the
handout's ``# Your code here`` comments sit just above the regions, so they stay). Cells
that exist only in the solution are tagged and removed: ``solution`` (our answers and the
code behind them) and ``check`` (asserts and metric bookkeeping). Outputs and execution
counts are cleared.

Usage::

    python scripts/make_handout.py handout.ipynb
"""

import argparse
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor
from nbgrader.preprocessors import ClearSolutions

from spotlight_compat._atomic import atomic_write_bytes

NOTEBOOK = Path(__file__).resolve().parent.parent / 'recsys_homework.ipynb'
SOLUTION_ONLY_TAGS = {'solution', 'check'}


def make_handout(solution):
    """The handout notebook (a new NotebookNode) made from the ``solution`` notebook."""
    handout = nbformat.from_dict(solution)
    handout.cells = [cell for cell in handout.cells
                     if not SOLUTION_ONLY_TAGS & set(cell.metadata.get('tags', []))]
    handout, _ = ClearSolutions(code_stub={'python': 'pass'}, enforce_metadata=True).preprocess(handout, {})
    handout, _ = ClearOutputPreprocessor().preprocess(handout, {})
    return handout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('output', help='where to write the handout notebook')
    parser.add_argument('--solution', default=str(NOTEBOOK), help='the solution notebook')
    args = parser.parse_args(argv)
    if Path(args.output).resolve() == Path(args.solution).resolve():
        parser.error('the output would overwrite the solution notebook: choose another path')
    handout = make_handout(nbformat.read(args.solution, as_version=4))
    nbformat.validate(handout)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(Path(args.output), nbformat.writes(handout).encode('utf-8'))
    code_cells = sum(cell.cell_type == 'code' for cell in handout.cells)
    print(f'{args.output}: {len(handout.cells)} cells ({code_cells} code cells)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
