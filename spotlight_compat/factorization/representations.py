"""The network behind the factorization models."""

import torch.nn as nn

from .. import _checks
from ..layers import ScaledEmbedding, ZeroEmbedding, embedding_dim_of


class BilinearNet(nn.Module):
    """
    Biased matrix factorisation: the score of (user, item) is the dot product
    of their embeddings plus a user bias and an item bias.

    Parameters
    ----------
    num_users: int
    num_items: int
    embedding_dim: int, optional
    user_embedding_layer: torch.nn.Module, optional
        Used as the user embeddings instead of a ``ScaledEmbedding``, e.g. a
        ``spotlight_compat.layers.BloomEmbedding``; it must give
        ``embedding_dim`` columns.
    item_embedding_layer: torch.nn.Module, optional
        The same for items.
    sparse: bool, optional
        Sparse gradients for the embeddings (and biases).

    Raises
    ------
    ValueError
        For non-positive sizes, or an embedding layer of another width.
    """

    def __init__(self, num_users, num_items, embedding_dim=32, user_embedding_layer=None,
                 item_embedding_layer=None, sparse=False):
        super().__init__()
        num_users = _checks.positive_int('num_users', num_users)
        num_items = _checks.positive_int('num_items', num_items)
        self.embedding_dim = _checks.positive_int('embedding_dim', embedding_dim)
        self.user_embeddings = _embeddings('user_embedding_layer', user_embedding_layer,
                                           num_users, embedding_dim, sparse)
        self.item_embeddings = _embeddings('item_embedding_layer', item_embedding_layer,
                                           num_items, embedding_dim, sparse)
        self.user_biases = ZeroEmbedding(num_users, 1, sparse=sparse)
        self.item_biases = ZeroEmbedding(num_items, 1, sparse=sparse)

    def forward(self, user_ids, item_ids):
        """Scores of the (user, item) pairs of two 1-D id tensors of the same length."""
        users = self.user_embeddings(user_ids).reshape(len(user_ids), -1)
        items = self.item_embeddings(item_ids).reshape(len(item_ids), -1)
        biases = self.user_biases(user_ids).squeeze(1) + self.item_biases(item_ids).squeeze(1)
        return (users * items).sum(1) + biases


def _embeddings(name, layer, count, embedding_dim, sparse):
    if layer is None:
        return ScaledEmbedding(count, embedding_dim, sparse=sparse)
    return embedding_dim_of(name, layer, embedding_dim)
