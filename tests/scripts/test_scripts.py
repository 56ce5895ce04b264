"""
The project's scripts: the README's results tables follow the result files, and the
handout writer refuses to overwrite the solution.
"""

import json

import pytest

from scripts import make_handout
from scripts import readme_tables
from tests.helpers import ROOT



def test_readme_tables_are_up_to_date():
    assert readme_tables.main(['--check']) == 0, 'run python scripts/readme_tables.py'


def test_readme_tables_show_every_seed_value_of_the_result_files():
    benchmark = json.loads((ROOT / 'results' / 'benchmark.json').read_text())
    row = benchmark['rows'][0]
    table = readme_tables.tables(benchmark, None)
    changed = dict(benchmark, rows=[dict(row, values=[v + 0.5 for v in row['values']])] + benchmark['rows'][1:])
    assert readme_tables.tables(changed, None) != table
    assert f"| {row['model']} |" in table


def test_readme_tables_set_the_best_single_model_against_the_best_tuned_peer():
    benchmark = {'seeds': [0, 1], 'rows': [
        dict(metric='MRR', model='GRU', values=[0.06, 0.08], train_seconds_mean=10.0),
        dict(metric='MRR', model='GRU + EASE', values=[0.09, 0.10], train_seconds_mean=11.0)]}
    peers = {'seeds': [0, 1], 'runs': [], 'rows': {'sasrec-tuned': dict(
        part='implicit', label='SASRec tuned', library='torch', version='2', per_seed={
            '0': dict(mrr=0.05, mrr_seen_last=0.1, fit_s=1.0),
            '1': dict(mrr=0.09, mrr_seen_last=0.1, fit_s=1.0)})}}
    table = readme_tables.tables(benchmark, peers)
    assert '| lead of GRU over SASRec tuned | +0.0100 | -0.0100 | +0.0000 |' in table
    assert '| GRU + EASE | 0.0900 | 0.1000 | 0.0950 |' in table
    assert 'lead of' not in readme_tables.tables(benchmark, dict(peers, rows={}))


def test_the_readmes_words_on_the_tuned_peers_follow_the_result_files():
    from peers.report import load_peers, tuned_peer_comparison
    from recsys_models.report import load_benchmark
    benchmark, peers = load_benchmark(ROOT / 'results' / 'benchmark.json'), load_peers(ROOT / 'results' / 'peers.json')
    lead = tuned_peer_comparison(benchmark, peers).iloc[-1].drop('mean')
    readme = (ROOT / 'README.md').read_text()
    # "Tuned, neither reaches our best single model, the sequential ridge, on any seed"
    assert 'neither reaches our best single model' in readme and (lead > 0).all()
    # "each tuned with the same budget (20 trials ...)"
    tuning = json.loads((ROOT / 'results' / 'peers_tuning.json').read_text())
    assert '(20 trials' in readme and {record['n_trials'] for record in tuning.values()} == {20}
    assert set(tuning) == {'gru4rec-official', 'sasrec-tuned'}


def test_readme_tables_need_their_markers():
    with pytest.raises(ValueError, match='markers'):
        readme_tables.updated_readme('no markers here', 'table')


def test_handout_writer_refuses_to_overwrite_the_solution(capsys):
    with pytest.raises(SystemExit) as exit:
        make_handout.main([str(make_handout.NOTEBOOK)])
    assert exit.value.code == 2 and 'would overwrite the solution notebook' in capsys.readouterr().err


def test_run_notebook_keeps_outputs_and_drops_run_metadata():
    import nbformat
    from scripts import run_notebook
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell('## Part A'),
        nbformat.v4.new_code_cell('x = 1', metadata={'papermill': {'duration': 2.0}, 'execution': {'iopub.status.busy': 'now'}}),
        nbformat.v4.new_markdown_cell('## Part B'),
        nbformat.v4.new_code_cell('y = 2', metadata={'papermill': {'duration': 0.5}})])
    notebook.metadata['papermill'] = {'start_time': 'now'}
    notebook.cells[1].outputs = [nbformat.v4.new_output('stream', name='stdout', text='GRU 1/6\rGRU 6/6\n'),
                                 nbformat.v4.new_output('stream', name='stdout', text='done\n')]
    seconds = run_notebook.cell_seconds(notebook)
    assert seconds == {1: 2.0, 3: 0.5}
    assert run_notebook.section_times(notebook, seconds) == {'Part A': 2.0, 'Part B': 0.5}
    run_notebook.clean(notebook)
    assert 'papermill' not in notebook.metadata and 'papermill' not in notebook.cells[1].metadata
    assert 'execution' not in notebook.cells[1].metadata
    assert [o.text for o in notebook.cells[1].outputs] == ['GRU 6/6\ndone\n']


def test_run_notebook_names_a_missing_notebook(tmp_path):
    from scripts import run_notebook
    with pytest.raises(FileNotFoundError, match='absent.ipynb'):
        run_notebook.run_notebook(tmp_path / 'absent.ipynb')


def test_run_notebook_executes_with_parameters(tmp_path):
    import nbformat
    from scripts import run_notebook
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('SEED = 0', metadata={'tags': ['parameters']}),
        nbformat.v4.new_code_cell('print(SEED * 10)')])
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    nbformat.write(notebook, tmp_path / 'tiny.ipynb')
    run_notebook.main([str(tmp_path / 'tiny.ipynb'), '--seed', '3', '--output', str(tmp_path / 'out.ipynb')])
    executed = nbformat.read(tmp_path / 'out.ipynb', as_version=4)
    assert [cell.metadata.get('tags') for cell in executed.cells] == [['parameters'], ['injected-parameters'], []]
    assert executed.cells[-1].outputs[0].text == '30\n'
    assert 'papermill' not in executed.metadata and '"execution":' not in nbformat.writes(executed)
    assert nbformat.read(tmp_path / 'tiny.ipynb', as_version=4).cells[0].outputs == []  # the input is untouched


def test_machine_specific_outputs_finds_paths_and_download_logs():
    import nbformat
    from scripts import run_notebook
    stream = nbformat.v4.new_output
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('a', outputs=[stream('stream', name='stdout', text='RMSE 0.93\n')]),
        nbformat.v4.new_markdown_cell('/home/is fine in prose'),
        nbformat.v4.new_code_cell('b', outputs=[stream('stream', name='stderr', text=(
            "Downloading file 'ml-100k.zip' from 'https://files.grouplens.org/x' to '/root/.cache/x'.\n"))]),
        nbformat.v4.new_code_cell('c', outputs=[stream('execute_result', data={'text/plain': "'/tmp/x/metrics.json'"},
                                                       execution_count=3)])])
    found = run_notebook.machine_specific_outputs(notebook)
    assert [number for number, _ in found] == [2, 3]
    assert found[0][1].startswith("Downloading file 'ml-100k.zip'")
    notebook.cells[2].outputs, notebook.cells[3].outputs = [], []
    assert run_notebook.machine_specific_outputs(notebook) == []


def test_run_notebook_leaves_a_notebook_unchanged_when_its_outputs_hold_a_machine_path(tmp_path):
    import nbformat
    from scripts import run_notebook
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('import os\nprint(os.path.join("/tmp", "x"))')])
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    path = tmp_path / 'prints_a_path.ipynb'
    nbformat.write(notebook, path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="code cell 1 printed '/tmp/x'"):
        run_notebook.run_notebook(path)
    assert path.read_bytes() == before
    run_notebook.run_notebook(path, tmp_path / 'scratch.ipynb')  # a scratch copy may hold one
    assert nbformat.read(tmp_path / 'scratch.ipynb', as_version=4).cells[0].outputs[0].text == '/tmp/x\n'


def test_run_notebook_kernel_talks_over_local_sockets_without_the_tcp_warning(tmp_path, capfd):
    import nbformat
    from scripts import run_notebook
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        'import json, ipykernel.connect\nprint(json.loads(ipykernel.connect.get_connection_info())["transport"])')])
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    nbformat.write(notebook, tmp_path / 'transport.ipynb')
    run_notebook.run_notebook(tmp_path / 'transport.ipynb', tmp_path / 'out.ipynb')
    assert nbformat.read(tmp_path / 'out.ipynb', as_version=4).cells[0].outputs[0].text == 'ipc\n'
    assert 'without encryption' not in capfd.readouterr().err
