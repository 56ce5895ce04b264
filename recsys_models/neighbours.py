"""
Nearest training contexts (a kNN-LM, Khandelwal et al., 2020): training prefixes whose
hidden state in a next-item network is close to a test prefix's vote for what followed them.
"""

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F

from .item_item import SEQUENTIAL_RIDGE, next_item_examples
from .protocol import CANNOT_RANK, WINDOW, user_histories

NEIGHBOUR_SETTINGS = dict(neighbours=1024, temperature=0.05, floor=1e-4)


class ContextNeighbours:
    """
    log of the votes of the training contexts nearest to a prefix in a network's hidden space,
    for what followed them (``horizon`` items, weighted 1, horizon_decay, ...).

    Parameters
    ----------
    network: NextItemModel
        Gives the hidden state after a prefix (``hidden_states``); it is not trained here.
    neighbours: int
        How many nearest contexts vote (all of them when fewer are stored).
    temperature: float
        Votes weigh softmax(cosine similarity / temperature).
    floor: float
        Scores are log(votes + floor), votes scaled to sum to 1.
    horizon, horizon_decay: optional
        What followed a context: the sequential ridge's targets by default.
    length: int, optional
        Items in a prefix (the test's 9).
    """

    def __init__(self, network, neighbours, temperature, floor, horizon=SEQUENTIAL_RIDGE['horizon'],
                 horizon_decay=SEQUENTIAL_RIDGE['horizon_decay'], length=WINDOW - 1):
        self.network, self.neighbours, self.temperature, self.floor = network, neighbours, temperature, floor
        self.horizon, self.horizon_decay, self.length = horizon, horizon_decay, length

    @torch.inference_mode()
    def contexts(self, prefixes):
        """The network's hidden state after each prefix, scaled to unit length: (n, d)."""
        self.network.eval()
        device = self.network.item_biases.device
        states = [self.network.hidden_states(torch.as_tensor(chunk, dtype=torch.long, device=device))[:, -1]
                  for chunk in np.array_split(prefixes, max(1, -(-len(prefixes) // 4096)))]
        return F.normalize(torch.cat(states), dim=1)

    def fit(self, interactions):
        """Store the hidden state of every prefix of every history of ``interactions``; returns self."""
        prefixes, self.followers = next_item_examples(user_histories(interactions), interactions.num_items,
                                                      self.length, self.horizon, self.horizon_decay)
        self.keys = self.contexts(prefixes)
        return self

    def votes(self, queries):
        """(n, items): the nearest contexts' followers, weighted by softmax(similarity / temperature)."""
        similarity, nearest = (queries @ self.keys.T).topk(min(self.neighbours, len(self.keys)), dim=1)
        weights = torch.softmax(similarity / self.temperature, dim=1).cpu().double().numpy()
        n, k = weights.shape
        voters = sp.csr_matrix((weights.ravel(), nearest.cpu().numpy().ravel(), np.arange(0, n * k + 1, k)),
                               shape=(n, len(self.keys)))
        return (voters @ self.followers).toarray()

    def predict_sequences(self, prefixes):
        """(n, L) prefixes -> (n, num_items) log-votes; the padding id scores ``CANNOT_RANK``."""
        prefixes = np.asarray(prefixes)[:, -self.length:]
        prefixes = np.pad(prefixes, ((0, 0), (self.length - prefixes.shape[1], 0)))  # as the stored contexts
        queries = self.contexts(prefixes)
        votes = np.concatenate([self.votes(chunk) for chunk in queries.split(256)])
        votes /= np.maximum(votes.sum(1, keepdims=True), 1e-12)
        scores = np.log(votes + self.floor)
        scores[:, 0] = CANNOT_RANK  # the padding id is not an item
        return scores

    def predict(self, sequence):
        """spotlight's interface: one sequence -> the scores of every item."""
        return self.predict_sequences(np.atleast_2d(sequence))[0]
