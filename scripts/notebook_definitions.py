"""
Import the definitions of ``recsys_homework.ipynb`` (its models, training functions and
recipes) into a script or a test, so that benchmarks and tests run the notebook's own code
instead of a copy of it.

A code cell is taken when it is tagged ``definitions``: all of it, or, when its metadata
lists ``defines`` (for a cell that also runs code, such as the handout's model cell that
creates ``model``), only the imports and the statements that bind those names. Nothing is
guessed: a listed name the cell does not bind, or a requested name no cell defines, is an
error.

Usage::

    from notebook_definitions import notebook_definitions
    nb = notebook_definitions('GRURecommender', 'GRU_RECIPE', 'fit_next_item_model')
    model, history = nb.fit_next_item_model(nb.GRURecommender, nb.GRU_RECIPE, ...)
"""

import ast
import types
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parent.parent / 'recsys_homework.ipynb'
TAG = 'definitions'


class NotebookDefinitionError(RuntimeError):
    """The notebook does not define what a caller needs, or a tagged cell is malformed."""


def _bound_names(node):
    """The names a top-level statement binds (function, class, assignment targets)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = {ast.Assign: lambda n: n.targets, ast.AnnAssign: lambda n: [n.target]}
    if type(node) in targets:
        return {name.id for target in targets[type(node)](node)
                for name in ast.walk(target) if isinstance(name, ast.Name)}
    return set()


def _cell_code(cell):
    """The Python source of a tagged cell, restricted to its ``defines`` when it lists them."""
    lines = [line for line in cell.source.splitlines()
             if not line.lstrip().startswith(('%', '!'))]
    tree = ast.parse('\n'.join(lines))
    wanted = cell.metadata.get('defines')
    if wanted is None:
        return tree
    kept = [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom)) or _bound_names(node) & set(wanted)]
    missing = set(wanted) - set().union(*(_bound_names(node) for node in kept))
    if missing:
        raise NotebookDefinitionError(
            f'cell {cell.get("id")} lists defines={wanted} but binds no {sorted(missing)}')
    return ast.Module(body=kept, type_ignores=[])


def notebook_definitions(*names, notebook=NOTEBOOK):
    """
    Execute the notebook's ``definitions`` cells, in order, in a fresh namespace.

    Parameters
    ----------
    *names: str
        Names the caller needs; a missing one raises ``NotebookDefinitionError``.
    notebook: path, optional
        The notebook to read (default: ``recsys_homework.ipynb``).

    Returns
    -------
    types.SimpleNamespace
        Every name the definition cells bind, as attributes.
    """
    namespace = {'__name__': 'recsys_homework'}
    cells = [cell for cell in nbformat.read(str(notebook), as_version=4).cells
             if cell.cell_type == 'code' and TAG in cell.metadata.get('tags', [])]
    if not cells:
        raise NotebookDefinitionError(f'{notebook} has no code cell tagged {TAG!r}')
    for cell in cells:
        exec(compile(_cell_code(cell), f'<notebook cell {cell.get("id")}>', 'exec'), namespace)
    missing = [name for name in names if name not in namespace]
    if missing:
        raise NotebookDefinitionError(
            f'the definition cells of {notebook} define no {missing}: tag the cell that defines '
            f'them {TAG!r} (and list them under "defines" if the cell also runs code)')
    return types.SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith('__')})
