"""
The boundary between the two sides of ``grading``: what runs inside the student's kernel
(``grading.kernel``) imports nothing from the grader's side (the rest of ``grading``), in
its source (every import statement, relative ones and those inside functions included, and
``importlib.import_module``/``__import__`` calls with a literal name) and when it runs.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import grading
import grading.kernel

KERNEL_FOLDER = Path(grading.kernel.__file__).parent
KERNEL_PACKAGE = 'grading.kernel'


def module_name(path, root):
    """The dotted name of the module at ``path``, a file under ``root`` (the folder holding
    the ``grading`` package)."""
    parts = path.relative_to(root).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def imported_names(source, name, is_package):
    """Every module or attribute the source imports, as absolute dotted names, with its line."""
    package = name if is_package else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split('.')
                if node.level - 1 >= len(parts):
                    yield node.lineno, '.' * node.level + (node.module or '')  # beyond the top: refused
                    continue
                base = '.'.join(parts[:len(parts) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                yield node.lineno, base if alias.name == '*' else f'{base}.{alias.name}'
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and (getattr(node.func, 'id', None) == '__import__'
                   or getattr(node.func, 'attr', None) == 'import_module')):
            yield node.lineno, node.args[0].value


def grader_side(imported):
    """Whether ``imported`` is ``grading`` itself or under it, outside ``grading.kernel``."""
    if imported.startswith('.'):
        return True
    inside_grading = imported == 'grading' or imported.startswith('grading.')
    inside_kernel = imported == KERNEL_PACKAGE or imported.startswith(KERNEL_PACKAGE + '.')
    return inside_grading and not inside_kernel


def boundary_violations(folder=KERNEL_FOLDER):
    """``['path:line imports name']`` for each import of the grader's side under ``folder``."""
    violations = []
    for path in sorted(folder.rglob('*.py')):
        name = module_name(path, folder.parent.parent)
        for line, imported in imported_names(path.read_text(), name, path.name == '__init__.py'):
            if grader_side(imported):
                violations.append(f'{path.relative_to(folder.parent.parent)}:{line} imports {imported}')
    return violations


def test_the_kernel_side_imports_nothing_from_the_graders_side():
    assert sorted(path.name for path in KERNEL_FOLDER.glob('*.py')) == ['__init__.py', 'hidden.py', 'sandbox.py']
    assert boundary_violations() == []


@pytest.mark.parametrize('statement', [
    'from grading.key import load_key', 'import grading.scoring', 'from grading import ASSIGNMENT',
    'from .. import ASSIGNMENT', 'from ..execute import TRUNCATED', 'from ...grading import key',
    'def f():\n    from grading.course import grade_folder',
    "import importlib\nimportlib.import_module('grading.key')", "__import__('grading.cells')"])
def test_an_import_of_the_graders_side_is_caught(tmp_path, statement):
    kernel = tmp_path / 'grading' / 'kernel'
    kernel.mkdir(parents=True)
    (kernel / '__init__.py').write_text('"""The kernel side."""\n')
    (kernel / 'hidden.py').write_text(f'import os\nfrom . import sandbox\nfrom grading.kernel.sandbox import main\n'
                                      f'{statement}\n')
    [violation] = boundary_violations(kernel)
    assert violation.startswith('grading/kernel/hidden.py:')


def test_the_kernel_modules_load_nothing_of_the_graders_side():
    """Importing them (and so ``grading/__init__.py``) loads no other module of ``grading``."""
    code = ('import sys, grading.kernel.hidden, grading.kernel.sandbox\n'
            "print(' '.join(sorted(name for name in sys.modules if name.split('.')[0] == 'grading')))")
    loaded = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                            cwd=Path(grading.__file__).parent.parent).stdout.split()
    assert loaded == ['grading', 'grading.kernel', 'grading.kernel.hidden', 'grading.kernel.sandbox']
