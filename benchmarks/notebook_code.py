"""
Import the definitions of ``recsys_homework.ipynb`` (its models and training
functions) into a script, so benchmarks run exactly the notebook's code
instead of a copy of it.

A code cell is taken when every top-level statement in it is an import, a
function or class definition, or an assignment of a literal constant; cells that
load data, train or plot are skipped.
"""

import ast
from pathlib import Path

import nbformat
from tqdm import tqdm

NOTEBOOK = Path(__file__).resolve().parent.parent / 'recsys_homework.ipynb'


def _is_definition(node):
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, ast.Assign):
        try:
            ast.literal_eval(node.value)
            return True
        except ValueError:
            return False
    return False


def silent_progress(iterable, desc):
    """A stand-in for the notebook's ``progress`` that draws nothing (pass it as an override)."""
    return tqdm(iterable, desc=desc, disable=True)


def notebook_definitions(notebook=NOTEBOOK, **overrides):
    """
    A namespace holding the notebook's definitions, then ``overrides``
    (e.g. ``device=torch.device('cpu')``, ``SEED=3``).
    """
    namespace = {'__name__': 'recsys_homework'}
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type != 'code':
            continue
        source = '\n'.join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(('!', '%')))
        tree = ast.parse(source)
        if tree.body and all(_is_definition(node) for node in tree.body):
            exec(compile(tree, f'<notebook cell {cell.get("id", "")}>', 'exec'), namespace)
    namespace.update(overrides)
    return namespace
