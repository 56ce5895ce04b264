"""recsys_models.item_item: EASE and the sequential ridge."""

import numpy as np
import pytest

from recsys_models import item_item
from spotlight_compat.evaluation import sequence_mrr_score
from tests.helpers import cannot_rank


def test_recency_profiles_weigh_the_latest_item_most():
    profiles = item_item.recency_profiles(np.array([[0, 3, 1, 2]]), 4, recency_decay=0.5).toarray()
    np.testing.assert_allclose(profiles, [[0, 0.5, 1, 0.25]])  # padding weighs nothing


def test_next_item_examples_hold_the_prefixes_and_weighted_targets():
    prefixes, targets = item_item.next_item_examples([np.array([1, 2, 3])], num_items=4, length=2,
                                                      horizon=2, horizon_decay=0.5)
    assert prefixes.tolist() == [[0, 1], [1, 2]]
    np.testing.assert_allclose(targets.toarray(), [[0, 0, 1, 0.5], [0, 0, 0, 1]])


@pytest.mark.parametrize('model_class, settings', [(item_item.EASE, item_item.EASE_SETTINGS),
                                                    (item_item.SequentialRidge, item_item.SEQUENTIAL_RIDGE)])
def test_item_item_models_learn_the_groups(grouped_histories, model_class, settings):
    valid = grouped_histories.to_sequence(10)
    model = model_class(**dict(settings, l2=1.0)).fit(grouped_histories)
    scores = model.predict_sequences(valid.sequences[:, :-1])
    assert scores.shape == (len(valid), grouped_histories.num_items) and cannot_rank(scores[:, 0])
    np.testing.assert_allclose(model.predict(valid.sequences[3, :-1]), scores[3])
    assert sequence_mrr_score(model, valid).mean() > 0.2  # a random ranking scores about 0.11


def test_ease_never_recommends_an_item_from_itself(grouped_histories):
    ease = item_item.EASE(**item_item.EASE_SETTINGS).fit(grouped_histories)
    assert np.all(np.diag(ease.B) == 0)
