"""recsys_models.blends: the rating blend and the next-item blend."""

import numpy as np
import pytest
import torch

from tests.helpers import StubModel
from recsys_models import blends, item_item, networks, training


def test_rating_blend_mixes_two_models():
    first = StubModel([np.array([4.0, 2.0])], batched=False)
    second = StubModel([np.array([2.0, 2.0])], batched=False)
    blended = blends.RatingBlend(first, second, 0.25).predict(np.array([0, 1]), np.array([0, 1]))
    np.testing.assert_allclose(blended, [3.5, 2.0])
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        blends.RatingBlend(first, second, 1.5)


def test_next_item_blend_adds_weighted_scores_to_log_probabilities(grouped_histories):
    valid = grouped_histories.to_sequence(10)
    prefixes = valid.sequences[:, :-1]
    recipe = training.Recipe(training.GRU_RECIPE.model, n_epochs=1, batch_size=64, learning_rate=1e-2)
    gru, _ = training.fit_next_item_model(networks.GRURecommender, recipe, valid.sequences, valid, seed=0)
    ease = item_item.EASE(**item_item.EASE_SETTINGS).fit(grouped_histories)
    blend = blends.NextItemBlend(gru, [(ease, 2.0)])
    blended = blend.predict_sequences(prefixes)
    expected = torch.log_softmax(torch.as_tensor(gru.predict_sequences(prefixes)), 1).double().numpy()
    np.testing.assert_allclose(blended[:, 1:], expected[:, 1:] + 2.0 * ease.predict_sequences(prefixes)[:, 1:])
    np.testing.assert_allclose(blend.predict(prefixes[2]), blended[2])
