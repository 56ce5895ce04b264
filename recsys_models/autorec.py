"""
I-AutoRec (Sedhain et al., 2015): each movie's ratings by every user, 0 where unrated,
reconstructed through a layer of sigmoid units; only the rated entries count in the loss.
"""

import numpy as np
import torch
from torch import nn

from spotlight_compat.torch_utils import resolve_device

AUTOREC = dict(hidden=500, l2=10.0, n_epochs=10, learning_rate=3e-3, batch_size=64)


class ItemAutoRec(nn.Module):
    """Each movie's ratings by every user (0 = unrated) through a sigmoid bottleneck."""

    def __init__(self, num_users, hidden):
        super().__init__()
        self.encoder = nn.Linear(num_users, hidden)
        self.decoder = nn.Linear(hidden, num_users)

    def forward(self, item_ratings):
        """(B, num_users) ratings of B movies, 0 where unrated -> (B, num_users) reconstructed ratings."""
        return self.decoder(torch.sigmoid(self.encoder(item_ratings)))


class AutoRecRatings:
    """
    I-AutoRec fitted with minibatch Adam on the rated entries.

    Predicts stars clipped to [1, 5], and the mean rating for a movie nobody rated in training.

    Parameters
    ----------
    hidden: int
        Sigmoid units in the bottleneck.
    l2: float
        Weight of the L2 penalty on the two weight matrices (per epoch).
    n_epochs, learning_rate, batch_size:
        Adam's schedule, over movies.
    seed: int
        Seeds the initialisation and the shuffles.
    device: str or torch.device, optional
        Where to train (default: the CPU).
    """

    def __init__(self, hidden, l2, n_epochs, learning_rate, batch_size, seed, device=None):
        self.hidden, self.l2, self.n_epochs = hidden, l2, n_epochs
        self.learning_rate, self.batch_size, self.seed = learning_rate, batch_size, seed
        self.device = resolve_device(device, False)

    def fit(self, interactions):
        """Train on the ratings of ``interactions``; returns self."""
        torch.manual_seed(self.seed)
        items, users = torch.as_tensor(interactions.item_ids), torch.as_tensor(interactions.user_ids)
        stars, rated = torch.zeros(2, interactions.num_items, interactions.num_users)
        stars[items, users] = torch.as_tensor(interactions.ratings, dtype=torch.float32)
        rated[items, users] = 1.0
        network = ItemAutoRec(interactions.num_users, self.hidden).to(self.device)
        stars, rated = stars.to(self.device), rated.to(self.device)
        optimizer = torch.optim.Adam(network.parameters(), lr=self.learning_rate)
        n_batches = -(-len(stars) // self.batch_size)
        for epoch in range(self.n_epochs):
            for batch in torch.randperm(len(stars)).to(self.device).split(self.batch_size):
                error = (network(stars[batch]) - stars[batch]) * rated[batch]
                penalty = network.encoder.weight.pow(2).sum() + network.decoder.weight.pow(2).sum()
                loss = error.pow(2).sum() + self.l2 / 2 / n_batches * penalty
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            self.reconstruction = network(stars).cpu().numpy()
        self.mean, self.rated_items = float(interactions.ratings.mean()), rated.any(1).cpu().numpy()
        return self

    def predict(self, user_ids, item_ids):
        """Predicted stars for the (user, item) pairs."""
        stars = np.where(self.rated_items[item_ids], self.reconstruction[item_ids, user_ids], self.mean)
        return np.clip(stars, 1, 5)
