"""recsys_models.networks and recsys_models.training: the next-item networks and their training."""

import numpy as np
import pytest
import torch

from recsys_models import networks, training
from spotlight_compat.evaluation import sequence_mrr_score
from tests.helpers import cannot_rank


@pytest.mark.parametrize('model_class, recipe', [(networks.GRURecommender, training.GRU_RECIPE),
                                                  (networks.CBOWRecommender, training.CBOW_RECIPE),
                                                  (networks.TransformerRecommender, training.TRANSFORMER_RECIPE)])
def test_networks_are_deterministic_batched_and_learn_the_groups(grouped_histories, model_class, recipe):
    valid = grouped_histories.to_sequence(10)
    windows = grouped_histories.to_sequence(20).sequences
    recipe = training.Recipe(recipe.model, n_epochs=8, batch_size=16, learning_rate=3e-2)
    predictions = []
    for _ in range(2):
        model, history = training.fit_next_item_model(model_class, recipe, windows, valid, seed=0, device='cpu')
        predictions.append(model.predict_sequences(valid.sequences[:, :-1]))
    np.testing.assert_array_equal(predictions[0], predictions[1])
    assert len(history['valid_mrr']) == len(history['loss']) == 8 and cannot_rank(predictions[0][:, 0])
    np.testing.assert_allclose(model.predict(valid.sequences[3, :-1]), predictions[1][3], rtol=1e-5, atol=1e-6)
    # the kept epoch is the best one on validation
    assert sequence_mrr_score(model, valid).mean() == pytest.approx(max(history['valid_mrr']))
    assert max(history['valid_mrr']) > 0.2  # a random ranking of the 40 items scores about 0.11


def test_log_probabilities_are_a_log_softmax_of_the_scores(grouped_histories):
    model = networks.GRURecommender(grouped_histories.num_items, embedding_dim=8, dropout=0.0)
    prefixes = grouped_histories.to_sequence(10).sequences[:4, :-1]
    log_probabilities = model.log_probabilities(prefixes)
    np.testing.assert_allclose(np.exp(log_probabilities).sum(1), 1.0, rtol=1e-6)
    assert np.all(np.exp(log_probabilities[:, 0]) == 0.0)  # the padding id: never the next item


def test_cbow_averages_only_the_last_window_of_items():
    model = networks.CBOWRecommender(5, embedding_dim=1, dropout=0.0, window=2)
    with torch.no_grad():
        model.item_embeddings.weight[:, 0] = torch.tensor([0.0, 1.0, 2.0, 4.0, 8.0])
    states = model.hidden_states(torch.tensor([[0, 1, 2, 3]]))[0, :, 0]
    np.testing.assert_allclose(states.detach().numpy(), [0.0, 1.0, 1.5, 3.0])  # padding counts for nothing


def test_transformer_attends_to_real_items_of_its_recent_past():
    model = networks.TransformerRecommender(5, dim=4, n_heads=1, n_layers=1, dropout=0.0, window=2)
    allowed = model.attention_mask(torch.tensor([[0, 1, 2, 3]]))[0].int().tolist()
    assert allowed == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]]


def test_recipes_and_training_refuse_bad_input(grouped_histories):
    with pytest.raises(ValueError, match='n_epochs'):
        training.Recipe({}, n_epochs=0, batch_size=16, learning_rate=0.1)
    with pytest.raises(ValueError, match='learning_rate'):
        training.Recipe({}, n_epochs=1, batch_size=16, learning_rate=0.0)
    model = networks.GRURecommender(grouped_histories.num_items, embedding_dim=8, dropout=0.0)
    with pytest.raises(ValueError, match='windows is empty'):
        training.train_next_item_model(model, np.zeros((0, 10), dtype=np.int64), grouped_histories.to_sequence(10),
                                       training.GRU_RECIPE, seed=0)
