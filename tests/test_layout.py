"""
The project's layout: no import cycle among its modules, each package importing only from the
packages below it, and no module changing the import path by hand.

The imports are read with ``ast`` (every ``import``, at module level or inside a function), so
that a cycle hidden in a function body counts too.
"""

import ast

import pytest

from tests.helpers import ROOT, git_files

# package -> the project packages it may import (itself included)
LAYERS = {
    'spotlight_compat': {'spotlight_compat'},
    'recsys_models': {'recsys_models', 'spotlight_compat'},
    'grading': {'grading', 'recsys_models', 'spotlight_compat'},
    'peers': {'peers', 'recsys_models', 'spotlight_compat'},
    'benchmarks': {'benchmarks', 'grading', 'peers', 'recsys_models', 'spotlight_compat'},
    'tools': {'tools', 'benchmarks', 'recsys_models', 'spotlight_compat'},
    'scripts': {'scripts', 'grading', 'peers', 'recsys_models', 'spotlight_compat'},
}


def project_modules():
    """{dotted module name: path} of every tracked module of the project's packages."""
    files = git_files('*.py')
    modules = {}
    for name in files:
        parts = name[:-3].split('/')
        if parts[0] not in LAYERS:
            continue
        if parts[-1] == '__init__':
            parts = parts[:-1]
        modules['.'.join(parts)] = ROOT / name
    return modules


def imports_of(module, path, modules):
    """The project modules that ``module`` (at ``path``) imports, anywhere in its body."""
    package = module if path.name == '__init__.py' else module.rpartition('.')[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = package.split('.')
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = '.'.join(anchor + ([base] if base else []))
            names = [f'{base}.{alias.name}' for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition('.')[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph():
    modules = project_modules()
    return {module: imports_of(module, path, modules) for module, path in modules.items()}


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_through_three_modules():
    assert cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c']]
    assert cycles({'a': {'b'}, 'b': set()}) == []


def test_the_import_reader_resolves_relative_imports_inside_functions(tmp_path):
    path = tmp_path / 'module.py'
    path.write_text('def f():\n    from ..scoring import x\n    from . import sibling\n')
    modules = {'peers.models.module': path, 'peers.scoring': path, 'peers.models.sibling': path}
    assert imports_of('peers.models.module', path, modules) == {'peers.scoring', 'peers.models.sibling'}


def test_no_import_cycle_among_the_projects_modules():
    graph = import_graph()
    assert len(graph) > 80  # the walk found the project
    assert cycles(graph) == []


@pytest.mark.parametrize('package', sorted(LAYERS))
def test_each_package_imports_only_the_packages_below_it(package):
    upward = sorted(f'{module} imports {target}' for module, targets in import_graph().items()
                    if module.split('.')[0] == package for target in targets
                    if target.split('.')[0] not in LAYERS[package])
    assert upward == []


def test_nothing_changes_the_import_path_by_hand():
    pattern = 'sys.' + 'path'
    tracked = git_files('*.py', '*.ipynb', '*.sh')
    offenders = [name for name in tracked if name not in ('tests/test_layout.py', 'tests/conftest.py')
                 and pattern in (ROOT / name).read_text(errors='replace')]
    assert offenders == []
