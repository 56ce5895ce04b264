"""The network behind the factorization models."""

import torch.nn as nn

from ..torch_utils import ScaledEmbedding, ZeroEmbedding


class BilinearNet(nn.Module):
    """
    Biased matrix factorisation: the score of (user, item) is the dot product
    of their embeddings plus a user bias and an item bias.

    Parameters
    ----------
    num_users: int
    num_items: int
    embedding_dim: int, optional
    sparse: bool, optional
        Sparse gradients for the embeddings.
    """

    def __init__(self, num_users, num_items, embedding_dim=32, sparse=False):
        super().__init__()
        self.user_embeddings = ScaledEmbedding(num_users, embedding_dim, sparse=sparse)
        self.item_embeddings = ScaledEmbedding(num_items, embedding_dim, sparse=sparse)
        self.user_biases = ZeroEmbedding(num_users, 1, sparse=sparse)
        self.item_biases = ZeroEmbedding(num_items, 1, sparse=sparse)

    def forward(self, user_ids, item_ids):
        dot = (self.user_embeddings(user_ids) * self.item_embeddings(item_ids)).sum(1)
        return dot + self.user_biases(user_ids).squeeze(1) + self.item_biases(item_ids).squeeze(1)
