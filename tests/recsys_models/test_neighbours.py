"""recsys_models.neighbours: the nearest training contexts."""

import numpy as np
import torch
import torch.nn.functional as F

from recsys_models import networks, training
from recsys_models.neighbours import NEIGHBOUR_SETTINGS, ContextNeighbours
from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.interactions import Interactions
from tests.helpers import cannot_rank


class LastItemNetwork:
    """A stand-in network: its hidden state after a prefix is the one-hot vector of the last item."""

    def __init__(self, num_items):
        self.item_biases = torch.zeros(num_items)

    def eval(self):
        return self

    def hidden_states(self, sequences):
        return F.one_hot(sequences, len(self.item_biases)).float()


def test_nearest_contexts_vote_for_what_followed_them():
    # histories 1 2 3, 1 2 4 and 5 2 3: the contexts ending in 2 were followed by 3, 4 and 3
    users, items = np.repeat([0, 1, 2], 3), np.array([1, 2, 3, 1, 2, 4, 5, 2, 3])
    histories = Interactions(users, items, timestamps=np.tile([0, 1, 2], 3), num_items=6)
    neighbours = ContextNeighbours(LastItemNetwork(6), neighbours=3, temperature=0.01, floor=1e-6,
                                   horizon=1).fit(histories)
    votes = np.exp(neighbours.predict(np.array([0, 0, 0, 0, 0, 0, 0, 5, 2]))) - 1e-6
    np.testing.assert_allclose(votes[1:], [0, 0, 2 / 3, 1 / 3, 0], atol=1e-6)
    # with a horizon of 2, the item after next votes at half weight: after 1, 2 (twice), 3 and 4
    neighbours = ContextNeighbours(LastItemNetwork(6), neighbours=2, temperature=0.01, floor=1e-6,
                                   horizon=2, horizon_decay=0.5).fit(histories)
    scores = neighbours.predict_sequences(np.array([[0, 1], [3, 1]]))
    np.testing.assert_allclose(np.exp(scores[:, 1:]) - 1e-6, [[0, 2 / 3, 1 / 6, 1 / 6, 0]] * 2, atol=1e-6)
    assert cannot_rank(scores[:, 0])  # the padding id is not an item
    # all 6 contexts vote (fewer than the neighbours asked for), by softmax(similarity / 0.5):
    # a / (3a + 3) each for the three ending in 2 and 1 / (3a + 3) for the others, a = exp(1 / 0.5)
    neighbours = ContextNeighbours(LastItemNetwork(6), neighbours=10, temperature=0.5, floor=0.1,
                                   horizon=1).fit(histories)
    a = np.exp(2.0)
    votes = np.array([0, 1 / (a + 1), 2 * a / (3 * a + 3), a / (3 * a + 3), 0])  # items 1-5
    np.testing.assert_allclose(neighbours.predict(np.array([0, 0, 0, 0, 0, 0, 0, 5, 2]))[1:],
                               np.log(votes + 0.1), rtol=1e-6)
    assert neighbours.predict_sequences(np.zeros((0, 9), dtype=np.int64)).shape == (0, 6)


def test_nearest_gru_contexts_learn_the_groups(grouped_histories):
    # contexts stored from users 0-47, scored on users 48-59: every group is on both sides
    def users(keep):
        h = grouped_histories
        return Interactions(h.user_ids[keep], h.item_ids[keep], timestamps=h.timestamps[keep], num_items=h.num_items)
    stored, held_out = users(grouped_histories.user_ids < 48), users(grouped_histories.user_ids >= 48)
    valid = held_out.to_sequence(10)
    recipe = training.Recipe(training.GRU_RECIPE.model, n_epochs=8, batch_size=16, learning_rate=3e-2)
    gru, _ = training.fit_next_item_model(networks.GRURecommender, recipe, stored.to_sequence(20).sequences,
                                          valid, seed=0)
    neighbours = ContextNeighbours(gru, **NEIGHBOUR_SETTINGS).fit(stored)
    scores = neighbours.predict_sequences(valid.sequences[:, :-1])
    assert scores.shape == (len(valid), grouped_histories.num_items) and cannot_rank(scores[:, 0])
    assert sequence_mrr_score(neighbours, valid).mean() > 0.2  # a random ranking scores about 0.11
