"""
Execute a notebook headless with papermill, top to bottom, and save it with its outputs.

Parameters (``--seed``, ``--device``, ``--results-dir``) go to the notebook's cell tagged
``parameters`` the papermill way: an ``injected-parameters`` cell after it. Without
parameters the notebook runs as committed. Progress-bar redraws are collapsed to their final
state and run-specific metadata (timestamps, durations, papermill's record) is dropped, so a
re-run on the same machine only changes what really changed. The time spent in each section
(level-2 heading) is printed at the end.

A notebook rewritten in place is the committed copy: when its outputs hold a path of this
machine or a download's log (the data was not fetched beforehand, as ``scripts/setup.sh``
does), it is left as it was and the run fails, naming the cell. The kernel talks over local
sockets (``grading.kernels``), not TCP.

Usage::

    python scripts/run_notebook.py recsys_homework.ipynb            # re-execute in place
    python scripts/run_notebook.py recsys_homework.ipynb --seed 3 --output /tmp/seed3.ipynb \\
        --results-dir /tmp/seed3
    python scripts/run_notebook.py beyond_the_homework.ipynb --html results/beyond_the_homework.html
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

import nbformat
import papermill

from grading.kernels import LocalSocketKernelManager
from spotlight_compat.atomic import atomic_write_bytes

ROOT = Path(__file__).resolve().parent.parent
# What a committed notebook's outputs must not hold: a home or temporary folder's path, or
# the log of a download (pooch's, or the MovieLens loader's fallback).
MACHINE_SPECIFIC = re.compile(r'/home/|/root/|/Users/|/tmp/|[A-Za-z]:\\Users\\|Downloading file|'
                              r'Downloading data from|Failed to download|Fetching MovieLens')


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


def cell_seconds(notebook):
    """Each executed code cell's wall time, from papermill's per-cell record: {index: seconds}."""
    return {index: cell.metadata.papermill.duration for index, cell in enumerate(notebook.cells)
            if cell.cell_type == 'code' and cell.metadata.get('papermill', {}).get('duration') is not None}


def clean(notebook):
    """Collapse progress-bar redraws and drop run-specific metadata (papermill's included)."""
    notebook.metadata.pop('papermill', None)
    for cell in notebook.cells:
        cell.metadata.pop('papermill', None)
        if cell.cell_type != 'code':
            continue
        cell.metadata.pop('execution', None)
        cell.outputs = merge_streams(cell.outputs)
        for output in cell.outputs:
            if output.output_type == 'stream':
                output.text = final_screen(output.text)


def machine_specific_outputs(notebook):
    """
    Where ``notebook``'s outputs hold a machine's path or a download's log: a list of
    (code cell number from 1, the offending line), empty when there is none.
    """
    found = []
    code_cells = [cell for cell in notebook.cells if cell.cell_type == 'code']
    for number, cell in enumerate(code_cells, start=1):
        for output in cell.get('outputs', []):
            texts = [output.get('text', '')] + [value for value in output.get('data', {}).values()
                                                if isinstance(value, str)]
            found += [(number, line.strip()) for text in texts for line in text.splitlines()
                      if MACHINE_SPECIFIC.search(line)]
    return found


def section_times(notebook, seconds):
    """Seconds spent in each level-2 section, in order."""
    totals, section = {}, 'Setup'
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == 'markdown':
            heading = re.match(r'^## (.+)$', cell.source, re.MULTILINE)
            if heading:
                section = heading.group(1).strip()
        elif index in seconds:
            totals[section] = totals.get(section, 0.0) + seconds[index]
    return totals


def write_text_atomically(path, text):
    """Write ``text`` to ``path`` (its folder created) through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, text.encode('utf-8'))


def run_notebook(notebook, output=None, parameters=None, timeout=1200, progress=False):
    """
    Execute ``notebook`` with papermill and save the cleaned result to ``output`` (default:
    in place). Returns the per-section seconds and the total wall time.
    """
    notebook, output = Path(notebook), Path(output or notebook)
    if not notebook.exists():
        raise FileNotFoundError(f'{notebook} does not exist')
    start = time.perf_counter()
    executed = papermill.execute_notebook(
        str(notebook), None, parameters=parameters or {}, kernel_name='python3', cwd=str(ROOT),
        progress_bar=progress, execution_timeout=timeout, report_mode=False,
        kernel_manager_class=LocalSocketKernelManager)
    total = time.perf_counter() - start
    seconds = cell_seconds(executed)
    clean(executed)
    found = machine_specific_outputs(executed) if output.resolve() == notebook.resolve() else []
    if found:
        number, line = found[0]
        raise RuntimeError(f'{notebook} left unchanged: code cell {number} printed {line[:200]!r}, a path of this '
                           'machine or a download log. Fetch the data before running the notebook '
                           '(scripts/setup.sh does), then run it again.')
    write_text_atomically(output, nbformat.writes(executed) + '\n')
    return section_times(executed, seconds), total


def main(argv=None):
    """Command line: execute the notebook with the given parameters, save it (in place unless
    ``--output``; also as HTML with ``--html``) and print the seconds per section; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('notebook', help='the notebook to execute')
    parser.add_argument('--output', help='where to save the executed notebook (default: in place)')
    parser.add_argument('--html', help='also export the executed notebook as HTML here')
    parser.add_argument('--seed', type=int, help='override SEED')
    parser.add_argument('--device', help="override DEVICE, e.g. 'cpu' or 'cuda'")
    parser.add_argument('--results-dir', help='override RESULTS_DIR')
    parser.add_argument('--timeout', type=int, default=1200, help='seconds allowed per cell')
    parser.add_argument('--progress', action='store_true', help='show a progress bar over the cells')
    parser.add_argument('--timing-json', help='write the per-section seconds here')
    args = parser.parse_args(argv)

    parameters = {name: value for name, value in (('SEED', args.seed), ('DEVICE', args.device),
                                                  ('RESULTS_DIR', args.results_dir))
                  if value is not None}
    output = Path(args.output or args.notebook)
    sections, total = run_notebook(args.notebook, output, parameters, args.timeout, args.progress)
    if args.html:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(nbformat.read(str(output), as_version=4))
        write_text_atomically(args.html, body)
    width = max(len(name) for name in sections)
    for name, seconds in sections.items():
        print(f'{name:<{width}}  {seconds:6.1f} s')
    print(f'{"Total (kernel start included)":<{width}}  {total:6.1f} s')
    if args.timing_json:
        write_text_atomically(args.timing_json, json.dumps({'sections': sections, 'total': total}, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
