"""
The notebooks as committed: the handout generated from the homework notebook lines up with
the course's handout and holds no solution, the homework notebook defines only what the
student writes, the second notebook defines nothing, and both are clean runs. (Both are
executed by nbval, with a second pass in reverse order: see the root conftest.py.)
"""

import ast
import re

import nbformat
import pytest
from nbclient import NotebookClient

from scripts.make_handout import make_handout
from scripts.run_notebook import machine_specific_outputs
from tests.helpers import ROOT

SOLUTION = nbformat.read(str(ROOT / 'recsys_homework.ipynb'), as_version=4)
BEYOND = nbformat.read(str(ROOT / 'beyond_the_homework.ipynb'), as_version=4)
# What the student writes: the model, the training loop's helpers and plot, the next-item model.
STUDENT_DEFINITIONS = {'CollaborativeFilteringModel', 'our_rmse', 'train_epoch', 'rmse_on', 'plot_rmse_curves',
                       'GRURecommender'}

# The course handout's 24 code cells, in order: a statement that identifies each one (the
# first, `!pip install ...`, is replaced by the parameters cell; the README installs).
HANDOUT_CODE_CELLS = [
    'SEED = 0',
    'from spotlight_compat.factorization.explicit import ExplicitFactorizationModel',
    "dataset = get_movielens_dataset(variant='100K')",
    'train.__dict__',
    'print(f"As an example, user {train.user_ids[0]} gave {train.ratings[0]} stars',
    'len(train) / len(dataset)',
    'ExplicitFactorizationModel(n_iter=3',
    'def our_rmse(y_true, y_pred):\n    return ((y_true - y_pred) ** 2).mean() ** 0.5',
    'y_pred = spotlight_model.predict(test.user_ids, test.item_ids)',
    'X_train = torch.LongTensor(np.column_stack((train.user_ids, train.item_ids)))',
    'our_rmse(y_test, y_pred)',
    'our_rmse(y_test, torch.ones_like(y_test) * y_train.mean())',
    'train_iter = torch.utils.data.DataLoader(train_dataset',
    'class CollaborativeFilteringModel(nn.Module):',
    'optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=1e-3)',
    'for epoch in tqdm(range(N_EPOCHS)):',
    "pooling_model = ImplicitSequenceModel(n_iter=3,",
    'train_seq',
    'train_seq.__dict__',
    'target = ohe.fit_transform(test_seq.sequences[:, [-1]]).toarray()',
    'y_proba.append(softmax(pooling_model.predict(seq[:-1])))',
    'label_ranking_average_precision_score(target, y_proba)',
    'item_counts = Counter(train_seq.sequences[:, -1])',
    'popularity_baseline = np.tile(popularity, (len(target), 1))',
]
# The course kit's cells, which the handout adds to the course's (nbgrader grade ids): a check
# after each answer, the cell naming the next-item model, the weight-decay answer.
CHECKS_AFTER = {'check_model_output': 'class CollaborativeFilteringModel(nn.Module):',
                'check_training_curves': 'for epoch in tqdm(range(N_EPOCHS)):'}
KIT_CELLS = ['check_model_output', 'check_training_curves', 'check_test_rmse', 'weight_decay_answer',
             'next_item_answer', 'check_next_item_scores', 'check_next_item_mrr']


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == 'code']


def grade_id(cell):
    return cell.metadata.get('nbgrader', {}).get('grade_id')


def course_code_cells(notebook):
    """The code cells of the course's handout: the code cells but the course kit's."""
    return [cell for cell in code_cells(notebook) if grade_id(cell) not in KIT_CELLS]


def python_source(cell):
    """A cell's source without IPython magics, parseable as Python."""
    return '\n'.join(line for line in cell.source.splitlines() if not line.startswith('%'))


def shows_a_value(expression):
    """False for a call to print, display or a plot function, which return None."""
    if not isinstance(expression, ast.Call):
        return True
    name = getattr(expression.func, 'id', getattr(expression.func, 'attr', ''))
    return not (name in ('print', 'display') or name.startswith('plot'))


def solution_lines(notebook):
    """The non-blank lines between BEGIN SOLUTION and END SOLUTION in every cell."""
    lines = []
    for cell in notebook.cells:
        for region in re.findall(r'### BEGIN SOLUTION\n(.*?)### END SOLUTION', cell.source, re.S):
            lines += [line.strip() for line in region.splitlines() if line.strip()]
    return lines


@pytest.fixture(scope='module')
def handout():
    return make_handout(SOLUTION)


def test_handout_code_cells_line_up_with_the_course_handout(handout):
    cells = course_code_cells(handout)
    assert len(cells) == len(HANDOUT_CODE_CELLS)
    for cell, statement in zip(cells, HANDOUT_CODE_CELLS):
        assert statement in cell.source, f'expected {statement!r} in:\n{cell.source}'
    assert cells[HANDOUT_CODE_CELLS.index('train_seq')].source.strip() == 'train_seq'


def test_handout_keeps_the_course_kits_cells_after_the_answers_they_check(handout):
    ids = [grade_id(cell) for cell in handout.cells]
    assert [i for i in ids if i in KIT_CELLS] == KIT_CELLS
    for check, answer in CHECKS_AFTER.items():
        assert answer in handout.cells[ids.index(check) - 1].source
    assert ids[-3:] == KIT_CELLS[-3:]  # the next-item model's name and checks close the handout
    assert handout.cells[ids.index('weight_decay_answer')].cell_type == 'markdown'


def test_handout_is_nbgraders_release(handout):
    """The checks are locked and carry nbgrader's checksums; the hand-graded answer is blank."""
    graded = {grade_id(cell): cell for cell in handout.cells if cell.metadata.get('nbgrader', {}).get('grade')}
    assert sorted(graded) == sorted(set(KIT_CELLS) - {'next_item_answer'})
    for name, cell in graded.items():
        assert cell.metadata.nbgrader['checksum'] and cell.metadata.nbgrader['points'] > 0
        assert cell.metadata.nbgrader['locked'] is (name != 'weight_decay_answer')
    assert graded['weight_decay_answer'].source == 'YOUR ANSWER HERE'
    assert sum(cell.metadata.nbgrader['points'] for cell in graded.values()) == 13


def test_handout_keeps_the_skeleton_signatures(handout):
    cells = course_code_cells(handout)
    model_cell = ast.parse(cells[HANDOUT_CODE_CELLS.index('class CollaborativeFilteringModel(nn.Module):')].source)
    model_class = next(node for node in model_cell.body if isinstance(node, ast.ClassDef))
    methods = {node.name: node for node in model_class.body if isinstance(node, ast.FunctionDef)}
    assert [a.arg for a in methods['__init__'].args.args] == ['self', 'nb_users', 'nb_items', 'embedding_size']
    assert [a.arg for a in methods['forward'].args.args] == ['self', 'x']
    assert isinstance(methods['__init__'].body[-1], ast.Pass) and len(methods['__init__'].body) == 2
    assert [type(node) for node in methods['forward'].body] == [ast.Pass]
    loop_cell = ast.parse(python_source(cells[HANDOUT_CODE_CELLS.index('for epoch in tqdm(range(N_EPOCHS)):')]))
    loop = next(node for node in loop_cell.body if isinstance(node, ast.For))
    assert [type(node) for node in loop.body] == [ast.Pass]


def test_handout_holds_no_solution(handout):
    text = nbformat.writes(handout)
    assert 'BEGIN SOLUTION' not in text and 'END SOLUTION' not in text
    sources = '\n'.join(cell.source for cell in handout.cells)
    leaked = [line for line in solution_lines(SOLUTION) if line in sources]
    assert not leaked, leaked
    for cell in handout.cells:
        assert not {'solution', 'beyond', 'check'} & set(cell.metadata.get('tags', []))
        assert cell.cell_type != 'code' or (cell.outputs == [] and cell.execution_count is None)
    assert 'Beyond the homework' not in sources and 'GRURecommender' not in sources
    assert 'HIDDEN TESTS' not in text and 'grading.kernel' not in text and 'export_' not in sources


@pytest.mark.slow
def test_handout_runs_top_to_bottom(handout, tmp_path):
    """Every course cell runs, but the optimizer cell: Adam over the blank skeleton's (absent)
    parameters fails, as in the course handout, until the student writes the model. Every
    check fails, with a message saying what is missing."""
    client = NotebookClient(handout, timeout=600, kernel_name='python3', allow_errors=True,
                            resources={'metadata': {'path': str(ROOT)}})
    client.execute()
    errors = [(index, output) for index, cell in enumerate(course_code_cells(handout))
              for output in cell.outputs if output.output_type == 'error']
    optimizer_cell = HANDOUT_CODE_CELLS.index(
        'optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=1e-3)')
    assert [(index, output.ename) for index, output in errors] == [(optimizer_cell, 'ValueError')]
    assert 'empty parameter list' in errors[0][1].evalue
    last = course_code_cells(handout)[-1].outputs[-1]
    assert 0 < float(last['data']['text/plain']) < 0.05  # the popularity baseline's LRAP
    checks = [cell for cell in handout.cells if (grade_id(cell) or '').startswith('check_')]
    failures = [[(o.ename, o.evalue) for o in cell.outputs if o.output_type == 'error'] for cell in checks]
    assert [len(f) for f in failures] == [1] * len(checks) and {f[0][0] for f in failures} == {'AssertionError'}
    assert 'the model has no parameters' in failures[0][0][1] and 'next_item_model' in failures[-1][0][1]


@pytest.mark.parametrize('notebook', [SOLUTION, BEYOND], ids=['homework', 'beyond'])
def test_committed_notebook_is_a_clean_run(notebook):
    counts = [cell.execution_count for cell in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1))
    for cell in code_cells(notebook):  # every untagged cell that ends in a value shows it (not the checks)
        if cell.metadata.get('tags') or cell.metadata.get('nbgrader', {}).get('grade'):
            continue
        body = ast.parse(python_source(cell)).body
        if body and isinstance(body[-1], ast.Expr) and shows_a_value(body[-1].value):
            assert any(o.output_type == 'execute_result' for o in cell.outputs), cell.source
        assert not any(o.output_type == 'error' for o in cell.outputs), cell.source
    text = nbformat.writes(notebook)
    assert '/work/' not in text and '/home/' not in text and '"execution":' not in text
    assert 'papermill' not in notebook.metadata and 'injected-parameters' not in text


@pytest.mark.parametrize('notebook', [SOLUTION, BEYOND], ids=['homework', 'beyond'])
def test_committed_notebook_holds_no_machine_path_or_download_log(notebook):
    assert machine_specific_outputs(notebook) == []


def definitions(notebook):
    """The names of the classes and functions a notebook's code cells define at top level."""
    return {node.name for cell in code_cells(notebook) for node in ast.parse(python_source(cell)).body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def test_homework_notebook_defines_only_what_the_student_writes():
    assert definitions(SOLUTION) == STUDENT_DEFINITIONS


def test_beyond_notebook_defines_nothing_and_keeps_its_cells_short():
    assert definitions(BEYOND) == set()
    assert max(len(cell.source.splitlines()) for cell in code_cells(BEYOND)) <= 25


@pytest.mark.parametrize('notebook', [SOLUTION, BEYOND], ids=['homework', 'beyond'])
def test_notebooks_take_their_parameters_from_one_cell(notebook):
    cells = [cell for cell in code_cells(notebook) if 'parameters' in cell.metadata.get('tags', [])]
    assert len(cells) == 1
    assigned = {target.id for node in ast.parse(cells[0].source).body if isinstance(node, ast.Assign)
                for target in node.targets}
    assert assigned == {'SEED', 'DEVICE', 'RESULTS_DIR'}
    assert not any('os.environ' in cell.source for cell in code_cells(notebook))  # no second way to set them
