"""
A biased matrix factorisation trained better than the homework's loop: a per-example L2
penalty, full-batch Adam and early stopping on validation ratings.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from spotlight_compat.evaluation import rmse_score
from spotlight_compat.torch_utils import resolve_device

TUNED_CF = dict(embedding_size=32, l2=0.12, learning_rate=0.03, max_steps=300, patience=50)


class BiasedMF(nn.Module):
    """
    Predicted rating = offset + user bias + item bias + user vector . item vector.

    The homework's ``CollaborativeFilteringModel``, as the library's own network: it takes
    a (batch, 2) tensor of (user, item) rows and returns one rating per row.

    Parameters
    ----------
    num_users, num_items: int
        Number of user and item ids (the largest id plus one).
    embedding_size: int
        Dimension of the user and item vectors.
    """

    def __init__(self, num_users, num_items, embedding_size):
        super().__init__()
        self.user_embeddings = nn.Embedding(num_users, embedding_size)
        self.item_embeddings = nn.Embedding(num_items, embedding_size)
        self.user_biases = nn.Embedding(num_users, 1)
        self.item_biases = nn.Embedding(num_items, 1)
        self.offset = nn.Parameter(torch.zeros(1))
        for embedding in (self.user_embeddings, self.item_embeddings):
            nn.init.normal_(embedding.weight, std=0.01)
        for bias in (self.user_biases, self.item_biases):
            nn.init.zeros_(bias.weight)

    def forward(self, x):
        """(B, 2) long tensor of (user, item) rows -> (B,) predicted ratings."""
        users, items = x[:, 0], x[:, 1]
        dot = (self.user_embeddings(users) * self.item_embeddings(items)).sum(1)
        biases = self.user_biases(users).squeeze(1) + self.item_biases(items).squeeze(1)
        return self.offset + biases + dot


class ClippedRatings:
    """
    spotlight's ``predict(user_ids, item_ids)`` for a network on (user, item) rows, with the
    predictions clipped to [1, 5] stars.
    """

    def __init__(self, network):
        self.network = network

    @torch.no_grad()
    def predict(self, user_ids, item_ids):
        """n user ids and n item ids -> (n,) numpy predicted ratings, clipped to [1, 5]."""
        self.network.eval()
        device = next(self.network.parameters()).device
        x = torch.as_tensor(np.column_stack((user_ids, item_ids)), dtype=torch.long, device=device)
        return np.clip(self.network(x).cpu().numpy(), 1, 5)


def train_cf_full_batch(ratings, valid, seed, embedding_size, l2, learning_rate, max_steps, patience,
                        device=None):
    """
    Full-batch Adam on ``ratings`` with a per-example L2 penalty, early-stopped on ``valid``.

    The penalty is the average over the training ratings of |p_u|^2 + |q_i|^2, so often-rated
    users and items are held more tightly than rare ones. The validation RMSE is checked every
    10 steps; training stops ``patience`` steps after the best one, whose weights are kept.

    Parameters
    ----------
    ratings, valid: Interactions
        Fit and validation ratings.
    seed: int
        Seeds the initialisation.
    embedding_size, l2, learning_rate, max_steps, patience:
        See ``TUNED_CF`` for the tuned values.
    device: str or torch.device, optional
        Where to train (default: the CPU).

    Returns
    -------
    ClippedRatings
        The best network, with ``best_validation_rmse`` and ``best_step`` set.
    """
    if max_steps < 10:
        raise ValueError(f'max_steps must be at least 10 (validation runs every 10 steps), got {max_steps}.')
    device = resolve_device(device, False)
    torch.manual_seed(seed)
    model = BiasedMF(ratings.num_users, ratings.num_items, embedding_size).to(device)
    x = torch.as_tensor(np.column_stack((ratings.user_ids, ratings.item_ids)), dtype=torch.long, device=device)
    stars = torch.as_tensor(ratings.ratings, device=device)
    model.offset.data.fill_(stars.mean())
    user_share = torch.bincount(x[:, 0], minlength=ratings.num_users) / len(x)
    item_share = torch.bincount(x[:, 1], minlength=ratings.num_items) / len(x)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    best_rmse, best_state, best_step = float('inf'), None, 0
    for step in range(max_steps):
        model.train()
        penalty = (user_share @ model.user_embeddings.weight.pow(2).sum(1)
                   + item_share @ model.item_embeddings.weight.pow(2).sum(1))
        loss = F.mse_loss(model(x), stars) + l2 * penalty
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 10 == 9:
            valid_rmse = rmse_score(ClippedRatings(model), valid)
            if valid_rmse < best_rmse:
                best_rmse, best_step = valid_rmse, step
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
            elif step - best_step >= patience:
                break
    model.load_state_dict(best_state)
    fitted = ClippedRatings(model)
    fitted.best_validation_rmse, fitted.best_step = best_rmse, best_step
    return fitted
