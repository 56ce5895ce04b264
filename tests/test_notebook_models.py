"""
The notebook's own models (imported from its definition cells): the same seed on the
same machine gives the same predictions, and they honour the evaluation interface.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import random_interactions
from spotlight_compat.cross_validation import random_train_test_split
from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.interactions import Interactions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'benchmarks'))
from notebook_code import notebook_definitions  # noqa: E402


@pytest.fixture(scope='module')
def nb():
    return notebook_definitions(device=torch.device('cpu'), SEED=0)


@pytest.fixture(scope='module')
def sequences():
    users = np.repeat(np.arange(60), 30)
    steps = np.tile(np.arange(30), 60)
    items = (users * 7 + steps) % 40 + 1
    return Interactions(users, items, timestamps=steps)


def test_rating_models_are_deterministic(nb):
    train, valid = random_train_test_split(random_interactions(n=2000), test_percentage=0.1,
                                           random_state=np.random.RandomState(0))
    nb['train'] = train
    fits = {name: [] for name in ('cf', 'bpmf')}
    for _ in range(2):
        fits['cf'].append(nb['train_cf_full_batch'](train, valid, max_steps=30)
                          .predict(valid.user_ids, valid.item_ids))
        fits['bpmf'].append(nb['BayesianMF'](n_iter=12, random_state=np.random.RandomState(0))
                            .fit(train).predict(valid.user_ids, valid.item_ids))
    for name, (first, second) in fits.items():
        np.testing.assert_array_equal(first, second, err_msg=name)
        assert first.min() >= 1 and first.max() <= 5, name


@pytest.mark.parametrize('model_name', ['GRURecommender', 'CBOWRecommender',
                                        'TransformerRecommender'])
def test_sequence_models_are_deterministic_and_batched(nb, sequences, model_name):
    nb['valid'] = sequences.to_sequence(10)
    windows = sequences.to_sequence(20).sequences
    predictions = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nb[model_name](sequences.num_items)
        history = nb['train_next_item_model'](model, windows, n_epochs=2, batch_size=32,
                                              learning_rate=1e-2, desc=model_name)
        predictions.append(model.predict_sequences(nb['valid'].sequences[:, :-1]))
    np.testing.assert_array_equal(predictions[0], predictions[1])
    assert len(history['valid_mrr']) == 2 and np.all(np.isneginf(predictions[0][:, 0]))
    row = nb['valid'].sequences[3, :-1]
    np.testing.assert_allclose(model.predict(row), predictions[1][3], rtol=1e-5, atol=1e-6)
    assert 0 < sequence_mrr_score(model, nb['valid']).mean() <= 1
