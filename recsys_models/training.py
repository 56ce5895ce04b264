"""
Training of the next-item networks, and the recipes chosen on validation users
(``benchmarks/search_windows.py``).
"""

import sys
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.torch_utils import resolve_device


@dataclass(frozen=True)
class Recipe:
    """
    How a next-item network is built and trained.

    Attributes
    ----------
    model: dict
        The network's constructor arguments (after ``num_items``).
    n_epochs, batch_size: int
        Passes over the training windows, and windows per step.
    learning_rate: float
        Adam's initial learning rate, decayed linearly to zero.
    """
    model: dict
    n_epochs: int
    batch_size: int
    learning_rate: float

    def __post_init__(self):
        for name in ('n_epochs', 'batch_size'):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'{name} must be a positive integer, got {value!r}.')
        if not self.learning_rate > 0:
            raise ValueError(f'learning_rate must be positive, got {self.learning_rate!r}.')


GRU_RECIPE = Recipe(dict(embedding_dim=128, dropout=0.5), n_epochs=6, batch_size=128, learning_rate=2e-2)
CBOW_RECIPE = Recipe(dict(embedding_dim=64, dropout=0.2), n_epochs=4, batch_size=256, learning_rate=3e-2)
TRANSFORMER_RECIPE = Recipe(dict(dim=64, n_heads=2, n_layers=1, dropout=0.2), n_epochs=6,
                            batch_size=256, learning_rate=3e-2)


def progress(iterable, desc):
    """
    A text progress bar without timings (saved outputs stay stable), on stdout so it stays
    in order with the prints; no bar at all when ``desc`` is None.
    """
    return tqdm(iterable, desc=desc, disable=desc is None, file=sys.stdout,
                bar_format='{desc} {n_fmt}/{total_fmt} |{bar:20}|{postfix}')


class BestEpoch:
    """
    Early stopping on a validation score: keeps the weights of the epoch with the best score
    (the first, on a tie) and, with a ``patience``, says when to stop.

    Parameters
    ----------
    patience: int, optional
        Stop after this many epochs without a better score (None: never stop early).

    Examples
    --------
    >>> from torch import nn
    >>> model, best = nn.Linear(1, 1), BestEpoch(patience=2)
    >>> [best.update(model, score) for score in (0.1, 0.3, 0.2, 0.2)]
    [False, False, False, True]
    >>> best.scores.index(max(best.scores))
    1
    """

    def __init__(self, patience=None):
        self.patience, self.scores, self.best_state = patience, [], None

    def update(self, model, score):
        """Record one epoch's ``score``, keeping ``model``'s weights when it is the best so far;
        True when training should stop."""
        self.scores.append(score)
        if self.best_state is None or score > max(self.scores[:-1]):
            self.best_state = {k: v.clone() for k, v in model.state_dict().items()}
            return False
        return self.patience is not None and len(self.scores) - 1 - int(np.argmax(self.scores)) >= self.patience

    def restore(self, model):
        """Load the best epoch's weights into ``model`` (nothing when no epoch was recorded)."""
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


def train_next_item_model(model, windows, valid, recipe, seed, device=None, desc=None):
    """
    Train a next-item network with the cross-entropy over all items at every non-padding
    position of ``windows``; keep the epoch with the best MRR on ``valid``.

    The item biases start at the log-popularity of each item, the embeddings small
    (N(0, 0.05^2)), and the learning rate decays linearly to zero.

    Parameters
    ----------
    model: NextItemModel
        The network, trained in place.
    windows: np.ndarray of int, shape (n, L)
        Training sequences (``protocol.training_windows``).
    valid: SequenceInteractions
        Validation sequences, scored by ``sequence_mrr_score`` after each epoch.
    recipe: Recipe
        Epochs, batch size and learning rate.
    seed: int
        Seeds the initialisation and the shuffles.
    device: str or torch.device, optional
        Where to train (default: the CPU).
    desc: str, optional
        A progress bar's label; no bar when None.

    Returns
    -------
    dict
        ``{'loss': [...], 'valid_mrr': [...]}``, one value per epoch.
    """
    if len(windows) == 0:
        raise ValueError('windows is empty: there is nothing to train on.')
    device = resolve_device(device, False)
    torch.manual_seed(seed)
    model.to(device)
    windows = torch.as_tensor(windows, dtype=torch.long, device=device)
    with torch.no_grad():
        nn.init.normal_(model.item_embeddings.weight, std=0.05)
        model.item_embeddings.weight[0] = 0
        counts = torch.bincount(windows.flatten(), minlength=len(model.item_biases)).float()
        model.item_biases.copy_(torch.log1p(counts))
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.learning_rate)
    steps_per_epoch = -(-len(windows) // recipe.batch_size)
    n_steps = recipe.n_epochs * steps_per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / n_steps)
    history, best_epoch = {'loss': [], 'valid_mrr': []}, BestEpoch()
    epochs = progress(range(recipe.n_epochs), desc)
    for epoch in epochs:
        model.train()
        total_loss = 0.0
        for batch in windows[torch.randperm(len(windows), device=device)].split(recipe.batch_size):
            inputs, targets = batch[:, :-1], batch[:, 1:]
            real = targets != 0
            loss = F.cross_entropy(model.scores(model.hidden_states(inputs)[real]), targets[real])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total_loss += loss.item() / steps_per_epoch
        history['loss'].append(total_loss)
        history['valid_mrr'].append(sequence_mrr_score(model, valid).mean())
        best_epoch.update(model, history['valid_mrr'][-1])
        epochs.set_postfix_str(f"loss {total_loss:.3f}, validation MRR {history['valid_mrr'][-1]:.4f}")
    best_epoch.restore(model)
    return history


def fit_next_item_model(model_class, recipe, windows, valid, seed, device=None, desc=None):
    """
    Build ``model_class(valid.num_items, **recipe.model)`` (seeded) and train it with
    ``train_next_item_model``.

    Returns
    -------
    (NextItemModel, dict)
        The trained network and its per-epoch history.
    """
    torch.manual_seed(seed)
    model = model_class(valid.num_items, **recipe.model)
    history = train_next_item_model(model, windows, valid, recipe, seed, device, desc)
    return model, history
