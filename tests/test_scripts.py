"""
The project's scripts: the README's results tables follow the result files, and the
handout writer refuses to overwrite the solution.
"""

import json
from pathlib import Path

import pytest

import make_handout
import readme_tables

ROOT = Path(__file__).resolve().parent.parent


def test_readme_tables_are_up_to_date():
    assert readme_tables.main(['--check']) == 0, 'run python scripts/readme_tables.py'


def test_readme_tables_show_every_seed_value_of_the_result_files():
    benchmark = json.loads((ROOT / 'results' / 'benchmark.json').read_text())
    row = benchmark['rows'][0]
    table = readme_tables.tables(benchmark, None)
    changed = dict(benchmark, rows=[dict(row, values=[v + 0.5 for v in row['values']])] + benchmark['rows'][1:])
    assert readme_tables.tables(changed, None) != table
    assert f"| {row['model']} |" in table


def test_readme_tables_need_their_markers():
    with pytest.raises(ValueError, match='markers'):
        readme_tables.updated_readme('no markers here', 'table')


def test_handout_writer_refuses_to_overwrite_the_solution(capsys):
    with pytest.raises(SystemExit) as exit:
        make_handout.main([str(make_handout.NOTEBOOK)])
    assert exit.value.code == 2 and 'would overwrite the solution notebook' in capsys.readouterr().err
