"""
Write the students' handout from the solution notebook.

The handout is nbgrader's release of the solution (``nbgrader generate_assignment`` with
the project's ``nbgrader_config.py``), so it is exactly what the grader expects students
to hand back: the cells that exist only in the solution are removed (tagged ``solution``:
our answers and the code behind them; ``check``: asserts and metric bookkeeping), each
``### BEGIN SOLUTION`` region becomes ``pass`` (the handout's ``# Your code here`` comments
sit just above the regions, so they stay), the hand-graded answer becomes "YOUR ANSWER
HERE", the hidden tests are removed from the checks, the checks are locked and carry
nbgrader's checksums, and outputs and execution counts are cleared.

Usage::

    python scripts/make_handout.py handout.ipynb
"""

import argparse
import sys
from pathlib import Path

import nbformat

from grading.course import generate_handout
from spotlight_compat.atomic import atomic_write_bytes

NOTEBOOK = Path(__file__).resolve().parent.parent / 'recsys_homework.ipynb'


def make_handout(solution):
    """The handout notebook (a new NotebookNode) made from the ``solution`` notebook."""
    return generate_handout(solution)


def main(argv=None):
    """Write the handout to the path given (see the module); the exit status."""
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
