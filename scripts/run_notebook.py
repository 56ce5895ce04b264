"""
Execute ``recsys_homework.ipynb`` headless, top to bottom, and save it in place
(or elsewhere), optionally with an HTML export.

Parameters are injected papermill-style: a cell tagged ``injected-parameters``
is placed after the cell tagged ``parameters``. Progress-bar redraws are
collapsed to their final state and execution timestamps are dropped, so a
re-run on the same machine only changes what really changed. The time spent
in each section (level-2 heading) is printed at the end.

Usage::

    python scripts/run_notebook.py                      # re-execute in place
    python scripts/run_notebook.py --seed 3 --output /tmp/seed3.ipynb --results-dir /tmp/r3
    python scripts/run_notebook.py --html results/recsys_homework.html
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from spotlight_compat.datasets.cache import atomic_write_bytes

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / 'recsys_homework.ipynb'


def inject_parameters(notebook, parameters):
    """Insert an ``injected-parameters`` cell after the ``parameters`` cell."""
    notebook.cells = [c for c in notebook.cells
                      if 'injected-parameters' not in c.metadata.get('tags', [])]
    if not parameters:
        return
    source = '# Parameters\n' + ''.join(f'{name} = {value!r}\n' for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={'tags': ['injected-parameters']})
    position = next(i for i, c in enumerate(notebook.cells)
                    if 'parameters' in c.metadata.get('tags', []))
    notebook.cells.insert(position + 1, cell)


def final_screen(text):
    """What a terminal shows for text with carriage returns: each line's last redraw."""
    return '\n'.join(line.rsplit('\r', 1)[-1] for line in text.split('\n'))


def merge_streams(outputs):
    """Join consecutive writes to the same stream into one output."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == 'stream' and previous is not None
                and previous.output_type == 'stream' and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def clean(notebook):
    """Collapse progress-bar redraws and drop run-specific metadata."""
    for cell in notebook.cells:
        if cell.cell_type != 'code':
            continue
        cell.metadata.pop('execution', None)
        cell.outputs = merge_streams(cell.outputs)
        for output in cell.outputs:
            if output.output_type == 'stream':
                output.text = final_screen(output.text)


def section_times(notebook, timings):
    """Seconds spent in each level-2 section, in order."""
    totals, section = {}, 'Setup'
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == 'markdown':
            heading = re.match(r'^## (.+)$', cell.source, re.MULTILINE)
            if heading:
                section = heading.group(1).strip()
        elif index in timings:
            totals[section] = totals.get(section, 0.0) + timings[index]
    return totals


class TimedClient(NotebookClient):
    """Records each code cell's wall time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timings = {}

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        start = time.perf_counter()
        result = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        self.timings[cell_index] = time.perf_counter() - start
        return result


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, text.encode('utf-8'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--input', default=str(NOTEBOOK))
    parser.add_argument('--output', help='where to save the executed notebook (default: in place)')
    parser.add_argument('--html', help='also export the executed notebook as HTML here')
    parser.add_argument('--seed', type=int, help='override SEED')
    parser.add_argument('--device', help="override DEVICE, e.g. 'cpu' or 'cuda'")
    parser.add_argument('--results-dir', help='override RESULTS_DIR')
    parser.add_argument('--timeout', type=int, default=1200, help='seconds allowed per cell')
    parser.add_argument('--timing-json', help='write the per-section seconds here')
    args = parser.parse_args(argv)

    parameters = {name: value for name, value in (('SEED', args.seed), ('DEVICE', args.device),
                                                  ('RESULTS_DIR', args.results_dir))
                  if value is not None}
    notebook = nbformat.read(args.input, as_version=4)
    inject_parameters(notebook, parameters)
    client = TimedClient(notebook, timeout=args.timeout, kernel_name='python3',
                         resources={'metadata': {'path': str(ROOT)}})
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    clean(notebook)
    write_atomically(args.output or args.input, nbformat.writes(notebook) + '\n')
    if args.html:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(notebook)
        write_atomically(args.html, body)

    sections = section_times(notebook, client.timings)
    width = max(len(name) for name in sections)
    for name, seconds in sections.items():
        print(f'{name:<{width}}  {seconds:6.1f} s')
    print(f'{"Total (kernel start included)":<{width}}  {total:6.1f} s')
    if args.timing_json:
        write_atomically(args.timing_json, json.dumps({'sections': sections, 'total': total},
                                                      indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
