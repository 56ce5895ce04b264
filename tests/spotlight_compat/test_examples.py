"""
The example script examples/spotlight_style.py, against our own expectations: it is
spotlight's code with only its imports changed, and it runs on MovieLens 100K to the
RMSE and MRR ranges the notebook asserts for the same two baselines.
"""

import re
import runpy

from tests.helpers import ROOT

SCRIPT = ROOT / 'examples' / 'spotlight_style.py'


def test_spotlight_style_script_differs_from_spotlight_code_only_in_its_imports():
    code = SCRIPT.read_text().split('"""')[2]  # after the module docstring
    statements = [line for line in code.splitlines()
                  if not line.startswith(('from spotlight_compat.', 'import '))]
    assert not [line for line in statements if 'spotlight_compat' in line or 'device' in line]
    assert 'use_cuda=False' in code


def test_spotlight_style_script_runs(movielens, capsys):
    runpy.run_path(str(SCRIPT), run_name='__main__')
    output = capsys.readouterr().out
    rmse = float(re.search(r'test RMSE: ([\d.]+)', output).group(1))
    mrr = float(re.search(r'test MRR: ([\d.]+)', output).group(1))
    # The ranges the notebook asserts for the same two baselines (n_iter=3).
    assert 0.95 < rmse < 1.03 and 0.035 < mrr < 0.055, output
    assert output.count('Epoch ') == 6
