"""
Next-item networks: each reads a batch of item sequences (left-padded with 0) and scores
every item as the next one.

Subclasses of ``NextItemModel`` compute one hidden vector per position; an item's score is
the dot product with the item's own embedding (the output layer is tied to the input) plus
an item bias. Training is in ``training``.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .protocol import CANNOT_RANK, WINDOW


class NextItemModel(nn.Module):
    """
    Scores every item as the next one of each sequence.

    Subclasses define ``item_embeddings`` (with ``padding_idx=0``), ``item_biases`` and
    ``hidden_states(sequences)``: one vector per position, (B, L) -> (B, L, d), summarising
    the items up to that position.
    """

    def scores(self, hidden):
        """Hidden vectors (..., d) -> scores of every item (..., num_items)."""
        return hidden @ self.item_embeddings.weight.T + self.item_biases

    def forward(self, sequences):
        """(B, L) item ids, left-padded with 0 -> (B, L, num_items): at each position, the
        scores of the item that comes next (the homework's ``GRURecommender`` returns the same)."""
        return self.scores(self.hidden_states(sequences))

    @torch.inference_mode()
    def predict_sequences(self, prefixes):
        """(n, L) prefixes -> (n, num_items) numpy scores of the item after each prefix; the
        padding id scores ``CANNOT_RANK``."""
        self.eval()
        prefixes = torch.as_tensor(np.asarray(prefixes), dtype=torch.long, device=self.item_biases.device)
        scores = self.scores(self.hidden_states(prefixes)[:, -1])
        scores[:, 0] = CANNOT_RANK  # the padding id is not an item
        return scores.cpu().numpy()

    def log_probabilities(self, prefixes):
        """log-softmax of ``predict_sequences``: (n, num_items) log-probabilities of the next item."""
        return torch.log_softmax(torch.as_tensor(self.predict_sequences(prefixes)), 1).double().numpy()

    def predict(self, sequence):
        """spotlight's interface: one sequence -> the scores of every item."""
        return self.predict_sequences(np.atleast_2d(sequence))[0]


class GRURecommender(NextItemModel):
    """
    A gated recurrent unit over the item embeddings; its state after item t is the taste so far.

    Parameters
    ----------
    num_items: int
        Number of item ids, padding (0) included.
    embedding_dim: int
        Dimension of the item embeddings and of the GRU's state.
    dropout: float
        Dropout on the embeddings and on the states.
    """

    def __init__(self, num_items, embedding_dim, dropout):
        super().__init__()
        self.item_embeddings = nn.Embedding(num_items, embedding_dim, padding_idx=0)
        self.item_biases = nn.Parameter(torch.zeros(num_items))
        self.gru = nn.GRU(embedding_dim, embedding_dim, batch_first=True)
        self.dropout = nn.Dropout(dropout)

    def hidden_states(self, sequences):
        """(B, L) item ids, left-padded with 0 -> (B, L, embedding_dim): the GRU's state after each item."""
        hidden, _ = self.gru(self.dropout(self.item_embeddings(sequences)))
        return self.dropout(hidden)


class CBOWRecommender(NextItemModel):
    """
    word2vec's continuous bag of words: the mean embedding of the last ``window`` items,
    with no notion of their order.
    """

    def __init__(self, num_items, embedding_dim, dropout, window=WINDOW - 1):
        super().__init__()
        self.item_embeddings = nn.Embedding(num_items, embedding_dim, padding_idx=0)
        self.item_biases = nn.Parameter(torch.zeros(num_items))
        self.dropout = nn.Dropout(dropout)
        self.window = window

    def sum_of_last_window(self, x):
        """At each position, the sum of the last ``window`` rows of x (B, L, d)."""
        running = x.cumsum(1)
        return running - F.pad(running, (0, 0, self.window, 0))[:, :x.shape[1]]

    def hidden_states(self, sequences):
        """(B, L) item ids, left-padded with 0 -> (B, L, d): the mean embedding of the real items
        among the last ``window`` positions, 0 where there are none."""
        total = self.sum_of_last_window(self.dropout(self.item_embeddings(sequences)))
        count = self.sum_of_last_window((sequences != 0).float().unsqueeze(-1))
        return total / count.clamp(min=1)




class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where each position sees only what ``allowed`` permits."""

    def __init__(self, dim, n_heads, dropout):
        super().__init__()
        self.qkv, self.projection = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.n_heads, self.dropout = n_heads, dropout

    def forward(self, x, allowed):  # allowed: (B, L, L), True where position i may attend to j
        """x (B, L, dim), ``allowed`` (B, L, L) bool, True where position i may attend to j -> (B, L, dim)."""
        B, L, C = x.shape
        q, k, v = (t.view(B, L, self.n_heads, C // self.n_heads).transpose(1, 2)
                   for t in self.qkv(x).split(C, dim=2))
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed[:, None],
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.projection(y.transpose(1, 2).reshape(B, L, C))


class TransformerBlock(nn.Module):
    """Attention then a feed-forward layer, each with a residual and a layer norm before it."""

    def __init__(self, dim, n_heads, dropout):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = CausalSelfAttention(dim, n_heads, dropout)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim),
                                 nn.Dropout(dropout))

    def forward(self, x, allowed):
        """x (B, L, dim), ``allowed`` (B, L, L) as in ``CausalSelfAttention`` -> (B, L, dim)."""
        x = x + self.attention(self.norm1(x), allowed)
        return x + self.mlp(self.norm2(x))


class TransformerRecommender(NextItemModel):
    """
    A small causal transformer (SASRec, minGPT): item plus position embeddings (counted back
    from the latest item), ``n_layers`` blocks, each position attending to itself and the
    real items of its last ``window`` positions.
    """

    def __init__(self, num_items, dim, n_heads, n_layers, dropout, max_length=50, window=WINDOW - 1):
        super().__init__()
        self.item_embeddings = nn.Embedding(num_items, dim, padding_idx=0)
        self.item_biases = nn.Parameter(torch.zeros(num_items))
        self.positions = nn.Embedding(max_length, dim)
        nn.init.normal_(self.positions.weight, std=0.05)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(TransformerBlock(dim, n_heads, dropout) for _ in range(n_layers))
        self.norm = nn.LayerNorm(dim)
        self.window = window

    def attention_mask(self, sequences):
        """(B, L, L): position i may attend to itself and the real items of its recent past."""
        i = torch.arange(sequences.shape[1], device=sequences.device)
        recent_past = (i[:, None] >= i[None, :]) & (i[:, None] - i[None, :] < self.window)
        return (recent_past & (sequences != 0)[:, None, :]) | torch.eye(len(i), dtype=torch.bool, device=i.device)

    def hidden_states(self, sequences):
        """(B, L) item ids, left-padded with 0 (L <= max_length) -> (B, L, dim), layer-normed."""
        distance_from_end = torch.arange(sequences.shape[1], device=sequences.device).flip(0)
        x = self.dropout(self.item_embeddings(sequences) + self.positions(distance_from_end))
        allowed = self.attention_mask(sequences)
        for block in self.blocks:
            x = block(x, allowed)
        return self.norm(x)
