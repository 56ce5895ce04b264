"""
The notebook as a homework answer: the handout generated from it lines up with the course's
handout and holds no solution, every cell re-runs after a full run, and the notebook's own
models (imported from its definition cells) are deterministic and honour the evaluation
interface.
"""

import ast
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import StubModel
from spotlight_compat.cross_validation import random_train_test_split
from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.interactions import Interactions

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))
from make_handout import make_handout  # noqa: E402
from notebook_definitions import NotebookDefinitionError, notebook_definitions  # noqa: E402

SOLUTION = nbformat.read(str(ROOT / 'recsys_homework.ipynb'), as_version=4)

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


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == 'code']


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
    cells = code_cells(handout)
    assert len(cells) == len(HANDOUT_CODE_CELLS)
    for cell, statement in zip(cells, HANDOUT_CODE_CELLS):
        assert statement in cell.source, f'expected {statement!r} in:\n{cell.source}'
    assert cells[HANDOUT_CODE_CELLS.index('train_seq')].source.strip() == 'train_seq'


def test_handout_keeps_the_skeleton_signatures(handout):
    cells = code_cells(handout)
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


@pytest.mark.slow
def test_handout_runs_top_to_bottom(handout, tmp_path):
    """Every cell runs, but the optimizer cell: Adam over the blank skeleton's (absent)
    parameters fails, as in the course handout, until the student writes the model."""
    client = NotebookClient(handout, timeout=600, kernel_name='python3', allow_errors=True,
                            resources={'metadata': {'path': str(ROOT)}})
    client.execute()
    errors = [(index, output) for index, cell in enumerate(code_cells(handout))
              for output in cell.outputs if output.output_type == 'error']
    optimizer_cell = HANDOUT_CODE_CELLS.index(
        'optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=1e-3)')
    assert [(index, output.ename) for index, output in errors] == [(optimizer_cell, 'ValueError')]
    assert 'empty parameter list' in errors[0][1].evalue
    last = code_cells(handout)[-1].outputs[-1]
    assert 0 < float(last['data']['text/plain']) < 0.05  # the popularity baseline's LRAP


@pytest.mark.slow
def test_every_cell_reruns_after_a_full_run(tmp_path, monkeypatch):
    """Execute the notebook, then every code cell once more, last to first, in the same kernel."""
    monkeypatch.setenv('RECSYS_RESULTS_DIR', str(tmp_path))
    notebook = nbformat.from_dict(SOLUTION)
    client = NotebookClient(notebook, timeout=600, kernel_name='python3',
                            resources={'metadata': {'path': str(ROOT)}})
    cells = [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == 'code']
    failures = []
    with client.setup_kernel():
        for index, cell in cells:
            client.execute_cell(cell, index)
        for index, cell in reversed(cells):
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                failures.append(f'cell {index}: {str(error).splitlines()[-1]}')
    assert not failures, failures
    assert (tmp_path / 'metrics.json').exists()


def test_committed_notebook_is_a_clean_run():
    counts = [cell.execution_count for cell in code_cells(SOLUTION)]
    assert counts == list(range(1, len(counts) + 1))
    for cell in code_cells(SOLUTION):  # every handout cell that ends in a value shows it
        if cell.metadata.get('tags'):
            continue
        body = ast.parse(python_source(cell)).body
        if body and isinstance(body[-1], ast.Expr) and shows_a_value(body[-1].value):
            assert any(o.output_type == 'execute_result' for o in cell.outputs), cell.source
    text = nbformat.writes(SOLUTION)
    assert '/work/' not in text and '/home/' not in text and '"execution":' not in text


@pytest.fixture(scope='module')
def nb():
    return notebook_definitions()


def test_loader_names_what_is_missing():
    with pytest.raises(NotebookDefinitionError, match='NoSuchModel'):
        notebook_definitions('GRURecommender', 'NoSuchModel')


def test_loader_takes_only_the_listed_definitions_of_a_mixed_cell(nb):
    # the handout's model cell also creates `model` from the data; only the class is taken
    assert hasattr(nb, 'CollaborativeFilteringModel') and not hasattr(nb, 'model')
    assert not hasattr(nb, 'train') and not hasattr(nb, 'metrics')


def test_collaborative_filtering_model_takes_the_handouts_x_batches(nb):
    torch.manual_seed(0)
    model = nb.CollaborativeFilteringModel(10, 20, 4)
    x = torch.LongTensor([[1, 2], [3, 19], [9, 0]])
    assert model(x).shape == (3,)
    nb.train_epoch(model, torch.optim.Adam(model.parameters(), lr=0.1), torch.nn.MSELoss(),
                   [(x, torch.tensor([5.0, 1.0, 3.0]))] * 50)
    assert nb.rmse_on(model, x, torch.tensor([5.0, 1.0, 3.0])) < 0.5


def test_autorec_learns_taste_groups_and_blends(nb):
    # 40 users and 30 movies in two taste groups: 5 stars within a group, 1 across
    rng = np.random.RandomState(0)
    cells = rng.choice(40 * 30, size=700, replace=False)
    users, items = cells // 30, cells % 30
    stars = np.where(users % 2 == items % 2, 5.0, 1.0).astype(np.float32)
    train, valid = random_train_test_split(Interactions(users, items, ratings=stars), test_percentage=0.2,
                                           random_state=np.random.RandomState(0))
    autorec = nb.AutoRecRatings(**dict(nb.AUTOREC, n_epochs=60), seed=0).fit(train)
    predicted = autorec.predict(valid.user_ids, valid.item_ids)
    assert np.sqrt(np.mean((predicted - valid.ratings) ** 2)) < 0.5  # the global mean scores about 2
    unrated = np.setdiff1d(np.arange(train.num_items), train.item_ids)
    if len(unrated):  # a movie nobody rated in training gets the mean rating
        np.testing.assert_allclose(autorec.predict(np.array([0]), unrated[:1]), train.ratings.mean(), rtol=1e-6)
    constant = StubModel([np.full(len(valid), 3.0)], batched=False)
    np.testing.assert_allclose(nb.RatingBlend(autorec, constant, 0.25).predict(valid.user_ids, valid.item_ids),
                               0.75 * predicted + 0.25 * 3.0, rtol=1e-6)


def test_autorec_counts_a_zero_star_rating_as_rated(nb):
    # a scale that includes 0 (e.g. 0-5 stars): the 0 is a rating, not a missing entry
    ratings = Interactions(np.array([0, 1]), np.array([0, 1]), ratings=np.array([0.0, 4.0]))
    autorec = nb.AutoRecRatings(**dict(nb.AUTOREC, hidden=4, n_epochs=1), seed=0).fit(ratings)
    assert autorec.rated_items.tolist() == [True, True]


@pytest.fixture(scope='module')
def sequences():
    """60 users in 4 groups; each user rates the 10 items of its group, over and over, in
    an order of its own."""
    rng = np.random.RandomState(0)
    users = np.repeat(np.arange(60), 30)
    steps = np.tile(np.arange(30), 60)
    items = np.concatenate([10 * (user % 4) + 1 + np.tile(rng.permutation(10), 3) for user in range(60)])
    return Interactions(users, items, timestamps=steps)


def test_macau_mf_refuses_repeated_pairs(nb):
    repeated = Interactions(np.array([1, 1, 2]), np.array([3, 3, 4]), ratings=np.array([4.0, 5.0, 1.0]))
    side = nb.one_hot(np.zeros(3), np.ones(3, bool)), nb.one_hot(np.zeros(5), np.ones(5, bool))
    with pytest.raises(ValueError, match='one rating per'):
        nb.MacauMF(**nb.MACAU, seed=0).fit(repeated, *side)


def test_rating_models_are_deterministic(nb):
    rng = np.random.RandomState(0)
    cells = rng.choice(30 * 40, size=900, replace=False)  # one rating per (user, item) pair
    ratings = Interactions(cells // 40, cells % 40, ratings=rng.randint(1, 6, size=900).astype(np.float32))
    train, valid = random_train_test_split(ratings, test_percentage=0.1, random_state=np.random.RandomState(0))
    settings = dict(nb.TUNED_CF, max_steps=30)
    user_side = nb.one_hot(rng.randint(3, size=train.num_users), np.ones(train.num_users, bool))
    item_side = nb.one_hot(rng.randint(4, size=train.num_items), np.ones(train.num_items, bool))
    fits = {name: [] for name in ('cf', 'bpmf', 'macau', 'autorec')}
    for _ in range(2):
        fits['autorec'].append(nb.AutoRecRatings(**dict(nb.AUTOREC, n_epochs=3), seed=0)
                               .fit(train).predict(valid.user_ids, valid.item_ids))
        fits['macau'].append(nb.MacauMF(**dict(nb.MACAU, n_sweeps=6, burn_in=2), seed=0)
                             .fit(train, user_side, item_side).predict(valid.user_ids, valid.item_ids))
        fits['cf'].append(nb.train_cf_full_batch(train, valid, 0, torch.device('cpu'), **settings)
                          .predict(valid.user_ids, valid.item_ids))
        fits['bpmf'].append(nb.BayesianMF(**dict(nb.BPMF, n_iter=12), random_state=np.random.RandomState(0))
                            .fit(train).predict(valid.user_ids, valid.item_ids))
    for name, (first, second) in fits.items():
        np.testing.assert_array_equal(first, second, err_msg=name)
        assert first.min() >= 1 and first.max() <= 5, name


@pytest.mark.parametrize('model_name, recipe_name', [('GRURecommender', 'GRU_RECIPE'),
                                                     ('CBOWRecommender', 'CBOW_RECIPE'),
                                                     ('TransformerRecommender', 'TRANSFORMER_RECIPE')])
def test_sequence_models_are_deterministic_and_batched(nb, sequences, model_name, recipe_name):
    valid = sequences.to_sequence(10)
    windows = sequences.to_sequence(20).sequences
    recipe = nb.Recipe(getattr(nb, recipe_name).model, n_epochs=8, batch_size=16, learning_rate=3e-2)
    predictions = []
    for _ in range(2):
        model, history = nb.fit_next_item_model(getattr(nb, model_name), recipe, windows, valid,
                                                seed=0, device=torch.device('cpu'))
        predictions.append(model.predict_sequences(valid.sequences[:, :-1]))
    np.testing.assert_array_equal(predictions[0], predictions[1])
    assert len(history['valid_mrr']) == 8 and np.all(np.isneginf(predictions[0][:, 0]))
    row = valid.sequences[3, :-1]
    np.testing.assert_allclose(model.predict(row), predictions[1][3], rtol=1e-5, atol=1e-6)
    # the next item is one of the 10 of the user's group: a trained model ranks those first
    # (MRR about 0.29 if it knows no more); a random ranking of the 40 items scores about 0.11
    assert sequence_mrr_score(model, valid).mean() > 0.2


@pytest.mark.parametrize('model_name, settings_name', [('EASE', 'EASE_SETTINGS'),
                                                       ('SequentialRidge', 'SEQUENTIAL_RIDGE')])
def test_item_item_models_learn_the_groups(nb, sequences, model_name, settings_name):
    valid = sequences.to_sequence(10)
    model = getattr(nb, model_name)(**dict(getattr(nb, settings_name), l2=1.0)).fit(sequences)
    scores = model.predict_sequences(valid.sequences[:, :-1])
    assert scores.shape == (len(valid), sequences.num_items) and np.all(np.isneginf(scores[:, 0]))
    np.testing.assert_allclose(model.predict(valid.sequences[3, :-1]), scores[3])
    assert sequence_mrr_score(model, valid).mean() > 0.2  # as for the networks above


class LastItemNetwork:
    """A stand-in network: its hidden state after a prefix is the one-hot vector of the last item."""

    def __init__(self, num_items):
        self.item_biases = torch.zeros(num_items)

    def eval(self):
        return self

    def hidden_states(self, sequences):
        return F.one_hot(sequences, len(self.item_biases)).float()


def test_nearest_contexts_vote_for_what_followed_them(nb):
    # histories 1 2 3, 1 2 4 and 5 2 3: the contexts ending in 2 were followed by 3, 4 and 3
    users, items = np.repeat([0, 1, 2], 3), np.array([1, 2, 3, 1, 2, 4, 5, 2, 3])
    histories = Interactions(users, items, timestamps=np.tile([0, 1, 2], 3), num_items=6)
    neighbours = nb.ContextNeighbours(LastItemNetwork(6), neighbours=3, temperature=0.01, floor=1e-6,
                                      horizon=1).fit(histories)
    votes = np.exp(neighbours.predict(np.array([0, 0, 0, 0, 0, 0, 0, 5, 2]))) - 1e-6
    np.testing.assert_allclose(votes[1:], [0, 0, 2 / 3, 1 / 3, 0], atol=1e-6)
    # with a horizon of 2, the item after next votes at half weight: after 1, 2 (twice), 3 and 4
    neighbours = nb.ContextNeighbours(LastItemNetwork(6), neighbours=2, temperature=0.01, floor=1e-6,
                                      horizon=2, horizon_decay=0.5).fit(histories)
    scores = neighbours.predict_sequences(np.array([[0, 1], [3, 1]]))
    np.testing.assert_allclose(np.exp(scores[:, 1:]) - 1e-6, [[0, 2 / 3, 1 / 6, 1 / 6, 0]] * 2, atol=1e-6)
    assert np.all(np.isneginf(scores[:, 0]))  # the padding id is not an item
    # all 6 contexts vote (fewer than the neighbours asked for), by softmax(similarity / 0.5):
    # a / (3a + 3) each for the three ending in 2 and 1 / (3a + 3) for the others, a = exp(1 / 0.5)
    neighbours = nb.ContextNeighbours(LastItemNetwork(6), neighbours=10, temperature=0.5, floor=0.1,
                                      horizon=1).fit(histories)
    a = np.exp(2.0)
    votes = np.array([0, 1 / (a + 1), 2 * a / (3 * a + 3), a / (3 * a + 3), 0])  # items 1-5
    np.testing.assert_allclose(neighbours.predict(np.array([0, 0, 0, 0, 0, 0, 0, 5, 2]))[1:],
                               np.log(votes + 0.1), rtol=1e-6)
    assert neighbours.predict_sequences(np.zeros((0, 9), dtype=np.int64)).shape == (0, 6)


def test_nearest_gru_contexts_learn_the_groups(nb, sequences):
    # contexts stored from users 0-47, scored on users 48-59: every group is on both sides
    def users(keep):
        return Interactions(sequences.user_ids[keep], sequences.item_ids[keep],
                            timestamps=sequences.timestamps[keep], num_items=sequences.num_items)
    stored, held_out = users(sequences.user_ids < 48), users(sequences.user_ids >= 48)
    valid = held_out.to_sequence(10)
    recipe = nb.Recipe(nb.GRU_RECIPE.model, n_epochs=8, batch_size=16, learning_rate=3e-2)
    gru, _ = nb.fit_next_item_model(nb.GRURecommender, recipe, stored.to_sequence(20).sequences,
                                    valid, seed=0, device=torch.device('cpu'))
    neighbours = nb.ContextNeighbours(gru, **nb.NEIGHBOUR_SETTINGS).fit(stored)
    scores = neighbours.predict_sequences(valid.sequences[:, :-1])
    assert scores.shape == (len(valid), sequences.num_items) and np.all(np.isneginf(scores[:, 0]))
    assert sequence_mrr_score(neighbours, valid).mean() > 0.2  # as for the networks above


def test_blend_adds_weighted_item_item_scores_to_log_probabilities(nb, sequences):
    valid = sequences.to_sequence(10)
    prefixes = valid.sequences[:, :-1]
    recipe = nb.Recipe(nb.GRU_RECIPE.model, n_epochs=1, batch_size=64, learning_rate=1e-2)
    gru, _ = nb.fit_next_item_model(nb.GRURecommender, recipe, sequences.to_sequence(10).sequences,
                                    valid, seed=0, device=torch.device('cpu'))
    ease = nb.EASE(**nb.EASE_SETTINGS).fit(sequences)
    blended = nb.NextItemBlend(gru, [(ease, 2.0)]).predict_sequences(prefixes)
    expected = torch.log_softmax(torch.as_tensor(gru.predict_sequences(prefixes)), 1).double().numpy()
    np.testing.assert_allclose(blended[:, 1:], expected[:, 1:] + 2.0 * ease.predict_sequences(prefixes)[:, 1:])
