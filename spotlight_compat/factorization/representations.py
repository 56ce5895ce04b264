"""The network behind the factorization models."""

import torch.nn as nn

from .. import _checks
from ..layers import ScaledEmbedding, ZeroEmbedding, embedding_dim_of, layer_width


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
        ``spotlight_compat.layers.BloomEmbedding``.
    item_embedding_layer: torch.nn.Module, optional
        The same for items.
    sparse: bool, optional
        Sparse gradients for the embeddings (and biases).

    Notes
    -----
    ``embedding_dim`` sizes the embedding layers that are not supplied. When both
    layers are supplied, as in spotlight, their own width is the network's
    (``embedding_dim`` is then not used), so
    ``BilinearNet(n, m, user_embedding_layer=BloomEmbedding(n, 64),
    item_embedding_layer=BloomEmbedding(m, 64))`` is a 64-wide network; the
    ``embedding_dim`` attribute holds that width.

    Raises
    ------
    ValueError
        For non-positive sizes, or user and item embeddings of different widths
        (which spotlight accepts and then fails on in the first forward pass).
    """

    def __init__(self, num_users, num_items, embedding_dim=32, user_embedding_layer=None,
                 item_embedding_layer=None, sparse=False):
        super().__init__()
        num_users = _checks.positive_int('num_users', num_users)
        num_items = _checks.positive_int('num_items', num_items)
        embedding_dim = _checks.positive_int('embedding_dim', embedding_dim)
        if user_embedding_layer is not None and item_embedding_layer is not None:
            embedding_dim = _common_width(user_embedding_layer, item_embedding_layer,
                                          embedding_dim)
        self.embedding_dim = embedding_dim
        self.user_embeddings = _embeddings('user_embedding_layer', user_embedding_layer,
                                           num_users, embedding_dim, sparse)
        self.item_embeddings = _embeddings('item_embedding_layer', item_embedding_layer,
                                           num_items, embedding_dim, sparse)
        self.user_biases = ZeroEmbedding(num_users, 1, sparse=sparse)
        self.item_biases = ZeroEmbedding(num_items, 1, sparse=sparse)

    def forward(self, user_ids, item_ids):
        """
        Scores of (user, item) pairs (spotlight's ``BilinearNet.forward``).

        Parameters
        ----------
        user_ids: torch.Tensor of int, shape (n,)
        item_ids: torch.Tensor of int, shape (n,)

        Returns
        -------
        torch.Tensor, shape (n,)
            Dot product of the embeddings plus the user and item biases.
        """
        users = self.user_embeddings(user_ids).reshape(len(user_ids), -1)
        items = self.item_embeddings(item_ids).reshape(len(item_ids), -1)
        biases = self.user_biases(user_ids).squeeze(1) + self.item_biases(item_ids).squeeze(1)
        return (users * items).sum(1) + biases


def _common_width(user_layer, item_layer, default):
    """The width of two supplied embedding layers, which must agree."""
    user_width = layer_width('user_embedding_layer', user_layer, None)
    item_width = layer_width('item_embedding_layer', item_layer, None)
    if user_width is not None and item_width is not None and user_width != item_width:
        raise ValueError(f'user_embedding_layer has embedding_dim={user_width} but '
                         f'item_embedding_layer has embedding_dim={item_width}; the dot '
                         'product needs the same width.')
    width = user_width if user_width is not None else item_width
    return default if width is None else width


def _embeddings(name, layer, count, embedding_dim, sparse):
    if layer is None:
        return ScaledEmbedding(count, embedding_dim, sparse=sparse)
    return embedding_dim_of(name, layer, embedding_dim)
