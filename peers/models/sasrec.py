"""
SASRec (Kang and McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018), a lean
implementation for the peers' table, following the authors' reference code and its
PyTorch port: item embeddings scaled by sqrt(hidden) plus learned absolute positions over
a left-padded window, blocks of causal multi-head attention (the query layer-normed, the
residual added to it) and a point-wise feed-forward network, a final layer norm, and
scores by dot product with the (shared) item embeddings; every weight matrix starts
Xavier-normal, as there.

Two losses: the paper's binary cross-entropy with one sampled negative per position
(``'bce'``), and the full softmax cross-entropy (``'ce'``) that later work found stronger
(Klenitskiy and Vasilev, RecSys 2023). Which one wins here is a tuned setting.
"""

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from recsys_models.protocol import CANNOT_RANK
from recsys_models.training import BestEpoch


@dataclass(frozen=True)
class SASRecSetting:
    """The hyperparameters tuned on validation users (``peers.tuning.SASREC_SPACE``)."""
    hidden: int = 50
    n_blocks: int = 2
    n_heads: int = 1
    dropout: float = 0.2
    learning_rate: float = 1e-3
    max_length: int = 50
    loss: str = 'bce'
    batch_size: int = 128
    n_epochs: int = 200


class FeedForward(nn.Module):
    """Point-wise feed-forward: two position-wise linear maps, ReLU between, residual."""

    def __init__(self, hidden, dropout):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(hidden, hidden), nn.Dropout(dropout), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.Dropout(dropout))

    def forward(self, x):
        """(B, L, hidden) -> (B, L, hidden): x plus its feed-forward."""
        return x + self.net(x)


class SASRecBlock(nn.Module):
    """Causal self-attention (query normed, residual to the normed query), then feed-forward."""

    def __init__(self, hidden, n_heads, dropout):
        super().__init__()
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-8)
        self.attention = nn.MultiheadAttention(hidden, n_heads, dropout=dropout, batch_first=True)
        self.forward_norm = nn.LayerNorm(hidden, eps=1e-8)
        self.feed_forward = FeedForward(hidden, dropout)

    def forward(self, x, causal, padding):
        """x (B, L, hidden), ``causal`` (L, L) bool, True where attention is masked, ``padding`` (B, L)
        bool, True at padding -> (B, L, hidden), zero at padding."""
        query = self.attention_norm(x)
        attended, _ = self.attention(query, x, x, attn_mask=causal, need_weights=False)
        x = self.feed_forward(self.forward_norm(query + attended))
        return x * ~padding[..., None]


class SASRec(nn.Module):
    """
    Parameters
    ----------
    num_items: int
        Number of item ids, padding (0) included.
    setting: SASRecSetting
        Width, depth, heads, dropout and window length.
    """

    def __init__(self, num_items, setting):
        super().__init__()
        self.hidden, self.max_length = setting.hidden, setting.max_length
        self.items = nn.Embedding(num_items, setting.hidden, padding_idx=0)
        self.positions = nn.Embedding(setting.max_length, setting.hidden)
        self.dropout = nn.Dropout(setting.dropout)
        self.blocks = nn.ModuleList(SASRecBlock(setting.hidden, setting.n_heads, setting.dropout)
                                    for _ in range(setting.n_blocks))
        self.final_norm = nn.LayerNorm(setting.hidden, eps=1e-8)
        with torch.no_grad():  # the reference code's initialisation: Xavier-normal matrices
            for parameter in self.parameters():
                if parameter.dim() > 1:
                    nn.init.xavier_normal_(parameter)
            self.items.weight[0] = 0

    def hidden_states(self, sequences):
        """(B, L) item ids, left-padded with 0 (L <= max_length) -> (B, L, hidden)."""
        length = sequences.shape[1]
        positions = torch.arange(self.max_length - length, self.max_length, device=sequences.device)
        x = self.items(sequences) * self.hidden ** 0.5 + self.positions(positions)
        padding = sequences == 0
        x = self.dropout(x) * ~padding[..., None]
        causal = torch.ones(length, length, dtype=torch.bool, device=sequences.device).triu(1)
        for block in self.blocks:
            x = block(x, causal, padding)
        return self.final_norm(x)

    @torch.no_grad()
    def score(self, prefixes):
        """(n, L) numpy prefixes -> (n, num_items) numpy scores of the next item."""
        self.eval()
        prefixes = torch.as_tensor(np.asarray(prefixes)[:, -self.max_length:], dtype=torch.long)
        scores = (self.hidden_states(prefixes)[:, -1] @ self.items.weight.T).double().numpy()
        scores[:, 0] = CANNOT_RANK  # the padding id is not an item
        return scores


def training_chunks(histories, max_length):
    """
    Each history cut from its end into chunks of ``max_length + 1`` items (inputs and their
    next items), left-padded with 0: every item of every history is a target once.
    """
    chunks = []
    for items in histories:
        for end in range(len(items), 1, -max_length):
            chunk = items[max(0, end - max_length - 1):end]
            chunks.append(np.pad(chunk, (max_length + 1 - len(chunk), 0)))
    return np.array(chunks, dtype=np.int64).reshape(-1, max_length + 1)


def fit_sasrec(histories, num_items, setting, seed, validate=None, patience=None):
    """
    Train SASRec with Adam (betas 0.9, 0.98, as the authors) on ``histories``.

    Parameters
    ----------
    histories: list of np.ndarray
        Each training user's items in time order.
    num_items: int
        Number of item ids, padding included.
    setting: SASRecSetting
    seed: int
        Seeds the initialisation, the shuffles and the negatives.
    validate: callable, optional
        ``validate(model) -> float`` after each epoch; the best epoch's weights are kept.
    patience: int, optional
        With ``validate``: stop after this many epochs without a better score.

    Returns
    -------
    (SASRec, list of float)
        The model and the validation score per epoch (empty without ``validate``).
    """
    torch.manual_seed(seed)
    model = SASRec(num_items, setting)
    chunks = torch.from_numpy(training_chunks(histories, setting.max_length))
    optimizer = torch.optim.Adam(model.parameters(), lr=setting.learning_rate, betas=(0.9, 0.98))
    best_epoch = BestEpoch(patience)
    for _ in range(setting.n_epochs):
        model.train()
        for batch in chunks[torch.randperm(len(chunks))].split(setting.batch_size):
            loss = _loss(model, batch[:, :-1], batch[:, 1:], setting.loss, num_items)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if validate is not None and best_epoch.update(model, validate(model)):
            break
    best_epoch.restore(model)
    return model, best_epoch.scores


def _loss(model, inputs, targets, loss, num_items):
    hidden = model.hidden_states(inputs)
    real = (inputs != 0) & (targets != 0)  # a history's first item is no one's target
    hidden, targets = hidden[real], targets[real]
    if loss == 'ce':
        return F.cross_entropy(hidden @ model.items.weight.T, targets)
    negatives = torch.randint(1, num_items, targets.shape)
    positive = (hidden * model.items(targets)).sum(-1)
    negative = (hidden * model.items(negatives)).sum(-1)
    return (F.binary_cross_entropy_with_logits(positive, torch.ones_like(positive))
            + F.binary_cross_entropy_with_logits(negative, torch.zeros_like(negative)))
