"""
Networks turning a left-padded item sequence into a representation at every
time step. ``user_representation(sequences)`` returns the representations
*before* each step, shape (batch, length, dim), and the one after the whole
sequence, shape (batch, dim); ``forward(representations, items)`` scores items.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..interactions import PADDING_IDX
from ..torch_utils import ScaledEmbedding, ZeroEmbedding


class _ItemScorer(nn.Module):
    """Item embeddings and biases, and scoring by dot product plus bias."""

    def __init__(self, num_items, embedding_dim, sparse=False):
        super().__init__()
        self.item_embeddings = ScaledEmbedding(num_items, embedding_dim, padding_idx=PADDING_IDX,
                                               sparse=sparse)
        self.item_biases = ZeroEmbedding(num_items, 1, padding_idx=PADDING_IDX, sparse=sparse)

    def forward(self, user_representations, targets):
        """Score ``targets`` (any shape S) given representations of shape S + (dim,)."""
        dot = (user_representations * self.item_embeddings(targets)).sum(-1)
        return dot + self.item_biases(targets).squeeze(-1)

    def score_all_items(self, final_representations):
        """Scores of every item, shape (batch, num_items)."""
        return torch.addmm(self.item_biases.weight.squeeze(1), final_representations,
                           self.item_embeddings.weight.t())


class PoolNet(_ItemScorer):
    """
    Running mean of the embeddings of the items seen so far: the representation
    at step t is the sum of the embeddings before t divided by the number of
    non-padding items before t plus one.
    """

    def user_representation(self, item_sequences):
        embeddings = F.pad(self.item_embeddings(item_sequences), (0, 0, 1, 0))
        seen = F.pad((item_sequences != PADDING_IDX).float(), (1, 0))
        means = embeddings.cumsum(1) / (seen.cumsum(1) + 1).unsqueeze(-1)
        return means[:, :-1], means[:, -1]


class LSTMNet(_ItemScorer):
    """An LSTM over the item embeddings; its state after step t-1 represents step t."""

    def __init__(self, num_items, embedding_dim, sparse=False):
        super().__init__(num_items, embedding_dim, sparse)
        self.lstm = nn.LSTM(batch_first=True, input_size=embedding_dim, hidden_size=embedding_dim)

    def user_representation(self, item_sequences):
        embeddings = F.pad(self.item_embeddings(item_sequences), (0, 0, 1, 0))
        states, _ = self.lstm(embeddings)
        return states[:, :-1], states[:, -1]
