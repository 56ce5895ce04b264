"""recsys_models.factorization: the biased MF trained full batch."""

import numpy as np
import pytest
import torch

from tests.helpers import unique_pair_ratings
from recsys_models.factorization import TUNED_CF, BiasedMF, ClippedRatings, train_cf_full_batch
from spotlight_compat.cross_validation import random_train_test_split


def test_biased_mf_takes_the_handouts_x_batches():
    torch.manual_seed(0)
    model = BiasedMF(10, 20, 4)
    x = torch.LongTensor([[1, 2], [3, 19], [9, 0]])
    assert model(x).shape == (3,)
    model.offset.data.fill_(9.0)
    np.testing.assert_allclose(ClippedRatings(model).predict(np.array([1]), np.array([2])), [5.0])


def test_full_batch_training_is_deterministic_and_beats_the_mean():
    train, valid = random_train_test_split(unique_pair_ratings(), test_percentage=0.1,
                                           random_state=np.random.RandomState(0))
    settings = dict(TUNED_CF, max_steps=60)
    first, second = (train_cf_full_batch(train, valid, 0, device='cpu', **settings) for _ in range(2))
    predictions = first.predict(valid.user_ids, valid.item_ids)
    np.testing.assert_array_equal(predictions, second.predict(valid.user_ids, valid.item_ids))
    assert predictions.min() >= 1 and predictions.max() <= 5
    assert first.best_step % 10 == 9 and first.best_validation_rmse < np.inf
    training_rmse = np.sqrt(np.mean((first.predict(train.user_ids, train.item_ids) - train.ratings) ** 2))
    assert training_rmse < np.std(train.ratings)


def test_full_batch_training_needs_a_validation_round():
    train, valid = random_train_test_split(unique_pair_ratings(), random_state=np.random.RandomState(0))
    with pytest.raises(ValueError, match='max_steps'):
        train_cf_full_batch(train, valid, 0, **dict(TUNED_CF, max_steps=5))
