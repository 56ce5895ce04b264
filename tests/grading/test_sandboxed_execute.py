"""
The grader's execution limits on tiny notebooks (grading.preprocessors.sandboxed_execute,
in the kernel of grading.kernel.sandbox): output kept per cell, the time limits per cell
and per notebook, a kernel that dies, and the kernel's read/write rules, each with its
reason in the cell. A kernel starts for each notebook, so these run with the slow grading
tests (pytest -m slow_grading).
"""

import os

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading.execute import KERNEL_DIED_ERROR, NOT_RUN_ERROR, TIME_LIMIT_ERROR, TRUNCATED
from grading.preprocessors.sandboxed_execute import SandboxedExecute

pytestmark = pytest.mark.slow_grading


def run(sources, **limits):
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    executor = SandboxedExecute(**limits)
    notebook, resources = executor.preprocess(notebook, {'metadata': {}})
    return notebook.cells, resources


def errors(cell):
    return [(output.ename, output.evalue) for output in cell.outputs if output.output_type == 'error']


def test_output_and_time_are_limited_per_cell_and_per_notebook():
    cells, resources = run(["print('x' * 3_000_000)", 'while True:\n    pass', "print('after the loop')",
                            'import time\ntime.sleep(60)', "print('too late')"],
                           timeout=3, notebook_timeout=7, max_output_bytes=100_000)
    assert cells[0].outputs[0].text.startswith(TRUNCATED) and sum(len(o.text) for o in cells[0].outputs) < 200_000
    assert resources['grading']['outputs_dropped'][0] > 2_800_000
    assert errors(cells[1])[-1] == (TIME_LIMIT_ERROR, 'the cell was stopped: it ran past the time limit per cell, 3 s')
    assert cells[2].outputs[0].text == 'after the loop\n'
    assert errors(cells[3])[-1] == (TIME_LIMIT_ERROR, "the cell was stopped: it ran past the notebook's time limit, 7 s")
    assert errors(cells[4]) == [(NOT_RUN_ERROR, 'not run: the notebook reached its time limit, 7 s')]


def test_a_kernel_that_dies_stops_the_run_with_its_reason():
    cells, _ = run(['x = 1', 'import os\nos._exit(3)', 'print(x)'], timeout=20)
    assert errors(cells[1])[-1][0] == KERNEL_DIED_ERROR and 'ran out of memory' in errors(cells[1])[-1][1]
    assert errors(cells[2]) == [(NOT_RUN_ERROR, 'not run: the kernel died in an earlier cell (cell 2 of the notebook)')]


def test_the_kernel_runs_in_its_scratch_folder_under_the_limits(tmp_path):
    denied = tmp_path / 'course'
    denied.mkdir()
    (denied / 'solution.ipynb').write_text('{}')
    cells, resources = run([
        'import os, resource\nprint(os.getcwd(), resource.getrlimit(resource.RLIMIT_AS)[0])',
        f"open({str(denied / 'solution.ipynb')!r}).read()",
        f"open({str(tmp_path / 'outside.txt')!r}, 'w')",
        "open('inside.txt', 'w').write('fine')",
        'import numpy as np\nhoard = np.ones(2 ** 31 // 8 * 3)',
        "import subprocess\nsubprocess.run(['true'])"],
        timeout=30, memory_limit=2 * 2 ** 30, deny_reading=[str(denied)])
    folder, limit = cells[0].outputs[0].text.split()
    assert folder.endswith('/work') and 'scratch-' in folder and int(limit) == 2 * 2 ** 30
    assert not os.path.exists(folder)  # removed afterwards
    assert errors(cells[1])[0][0] == 'PermissionError' and 'reading' in errors(cells[1])[0][1]
    assert errors(cells[2])[0][0] == 'PermissionError' and not (tmp_path / 'outside.txt').exists()
    assert errors(cells[3]) == []
    assert errors(cells[4])[0][0] == 'MemoryError'
    assert errors(cells[5])[0] == ('PermissionError', 'grading: starting programs is not allowed (subprocess.Popen)')
    assert os.path.isdir(resources['grading']['export_dir'])
