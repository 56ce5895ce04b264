"""
The notebooks under nbval, plus a second pass in the same kernel: after a notebook's last
cell, every code cell runs once more, last to first, as a reader re-running cells out of
order would. A re-run cell fails on an exception (its outputs are not compared).
"""

from collections import defaultdict



def pytest_collection_modifyitems(session, config, items):
    """pytest hook: after each notebook's last nbval cell, add a re-run of each of its code cells,
    last to first, whose outputs are not compared; does nothing without nbval."""
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: no notebook items either
        return
    reruns_after = {}
    for index, item in enumerate(items):
        if isinstance(item, IPyNbCell):
            reruns_after[item.parent] = index
    for notebook, last in sorted(reruns_after.items(), key=lambda pair: -pair[1]):
        cells = [item for item in items if isinstance(item, IPyNbCell) and item.parent is notebook]
        reruns = [IPyNbCell.from_parent(notebook, name=f'{cell.name} (re-run)', cell_num=cell.cell_num,
                                        cell=cell.cell, options=defaultdict(bool, cell.options, check=False))
                  for cell in reversed(cells)]
        items[last + 1:last + 1] = reruns

