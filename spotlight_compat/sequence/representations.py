"""
Networks turning a left-padded item sequence into a representation at every
time step, as spotlight's ``sequence.representations``: ``PoolNet``,
``LSTMNet``, ``CNNNet`` and ``MixtureLSTMNet``, with spotlight's constructor
arguments.

The interface is batch-first: ``user_representation(sequences)`` returns the
representations *before* each step, shape (batch, length) + R, and the one after
the whole sequence, shape (batch,) + R, where R is (dim,) (or (2 * mixtures,
dim) for the mixture network); ``forward(representations, items)`` scores items
of any shape S given representations broadcastable to S + R. (spotlight puts
the dimension before the time axis; a network written for its layout must be
transposed to be used here.)
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import _checks
from ..interactions import PADDING_IDX
from ..layers import (ScaledEmbedding, ZeroEmbedding, all_embeddings, embedding_dim_of,
                      layer_width)

NONLINEARITIES = {'tanh': torch.tanh, 'relu': F.relu}


class _ItemScorer(nn.Module):
    """
    Item embeddings and biases, and scoring by dot product plus bias.

    Parameters
    ----------
    num_items: int
    embedding_dim: int, optional
    item_embedding_layer: torch.nn.Module, optional
        Used as the item embeddings instead of a ``ScaledEmbedding`` (e.g. a
        ``BloomEmbedding``); it must give ``embedding_dim`` columns, except for
        ``PoolNet``, which takes the layer's width (as spotlight's does).
    sparse: bool, optional
        Sparse gradients for the embeddings and biases.
    """

    # Whether a supplied item embedding layer sets the width (only a network whose
    # other parts do not depend on the width can take any).
    _width_from_layer = False

    def __init__(self, num_items, embedding_dim=32, item_embedding_layer=None, sparse=False):
        super().__init__()
        self.num_items = _checks.positive_int('num_items', num_items)
        self.embedding_dim = _checks.positive_int('embedding_dim', embedding_dim)
        if item_embedding_layer is not None and self._width_from_layer:
            self.embedding_dim = layer_width('item_embedding_layer', item_embedding_layer,
                                             self.embedding_dim)
        if item_embedding_layer is None:
            self.item_embeddings = ScaledEmbedding(num_items, embedding_dim,
                                                   padding_idx=PADDING_IDX, sparse=sparse)
        else:
            self.item_embeddings = embedding_dim_of('item_embedding_layer', item_embedding_layer,
                                                    self.embedding_dim)
        self.item_biases = ZeroEmbedding(num_items, 1, padding_idx=PADDING_IDX, sparse=sparse)

    def forward(self, user_representations, targets):
        """Score ``targets`` (any shape S) given representations of shape S + (dim,)."""
        dot = (user_representations * self.item_embeddings(targets)).sum(-1)
        return dot + self.item_biases(targets).squeeze(-1)

    def score_all_items(self, final_representations):
        """Scores of every item, shape (batch, num_items)."""
        return torch.addmm(self.item_biases.weight.squeeze(1), final_representations,
                           all_embeddings(self.item_embeddings, self.num_items).t())

    def _padded_embeddings(self, item_sequences):
        """The sequences' embeddings with one zero step in front, (batch, length + 1, dim)."""
        return F.pad(self.item_embeddings(item_sequences), (0, 0, 1, 0))


class PoolNet(_ItemScorer):
    """
    Running mean of the embeddings of the items seen so far: the representation
    at step t is the sum of the embeddings before t divided by the number of
    non-padding items before t plus one (Covington et al., 2016). A supplied
    ``item_embedding_layer`` sets the width, whatever ``embedding_dim`` says.
    """

    _width_from_layer = True

    def user_representation(self, item_sequences):
        """(batch, length) item ids -> the mean embedding of the items before each position,
        (batch, length, dim), and of all of them, (batch, dim)."""
        embeddings = self._padded_embeddings(item_sequences)
        seen = F.pad((item_sequences != PADDING_IDX).float(), (1, 0))
        means = embeddings.cumsum(1) / (seen.cumsum(1) + 1).unsqueeze(-1)
        return means[:, :-1], means[:, -1]


class LSTMNet(_ItemScorer):
    """
    An LSTM over the item embeddings, with ``embedding_dim`` hidden units; its
    state after step t-1 represents step t (Hidasi et al., 2015).
    """

    def __init__(self, num_items, embedding_dim=32, item_embedding_layer=None, sparse=False):
        super().__init__(num_items, embedding_dim, item_embedding_layer, sparse)
        self.lstm = nn.LSTM(batch_first=True, input_size=embedding_dim, hidden_size=embedding_dim)

    def user_representation(self, item_sequences):
        """(batch, length) item ids -> the LSTM's state before each position,
        (batch, length, dim), and after the last item, (batch, dim)."""
        states, _ = self.lstm(self._padded_embeddings(item_sequences))
        return states[:, :-1], states[:, -1]


def _per_layer(name, value, num_layers):
    """``value`` as a tuple of ``num_layers`` positive ints (a single int is repeated)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * num_layers
    if len(values) < num_layers:
        raise ValueError(f'{name} gives {len(values)} values for {num_layers} layers.')
    return tuple(_checks.positive_int(name, v) for v in values)


class CNNNet(_ItemScorer):
    """
    Stacked causal (left-padded), optionally dilated, 1-D convolutions over the
    item embeddings, with ``embedding_dim`` filters each and residual
    connections (van den Oord et al., 2016; Kalchbrenner et al., 2016).

    Parameters
    ----------
    num_items: int
    embedding_dim: int, optional
    kernel_width: int or tuple of int, optional
        One per layer; an int is used for every layer.
    dilation: int or tuple of int, optional
        One per layer; an int is used for every layer.
    num_layers: int, optional
    nonlinearity: str, optional
        'tanh' or 'relu', applied after each convolution.
    residual_connections: bool, optional
    sparse: bool, optional
    benchmark: bool, optional
        Sets ``torch.backends.cudnn.benchmark``, as spotlight does.
    item_embedding_layer: torch.nn.Module, optional

    Notes
    -----
    As in spotlight, the first layer is padded by its receptive field, which
    yields one more step than the input (the state before any item), and later
    layers by their receptive field less one.

    Raises
    ------
    ValueError
        For an unknown nonlinearity, non-positive sizes, or fewer widths or
        dilations than layers.
    """

    def __init__(self, num_items, embedding_dim=32, kernel_width=3, dilation=1, num_layers=1,
                 nonlinearity='tanh', residual_connections=True, sparse=False, benchmark=True,
                 item_embedding_layer=None):
        super().__init__(num_items, embedding_dim, item_embedding_layer, sparse)
        num_layers = _checks.positive_int('num_layers', num_layers)
        torch.backends.cudnn.benchmark = _checks.flag('benchmark', benchmark)
        self.kernel_width = _per_layer('kernel_width', kernel_width, num_layers)
        self.dilation = _per_layer('dilation', dilation, num_layers)
        self.nonlinearity = _checks.choice('nonlinearity', nonlinearity, NONLINEARITIES)
        self.residual_connections = _checks.flag('residual_connections', residual_connections)
        self.cnn_layers = nn.ModuleList(
            nn.Conv1d(embedding_dim, embedding_dim, width, dilation=rate)
            for width, rate in zip(self.kernel_width, self.dilation))

    def user_representation(self, item_sequences):
        """(batch, length) item ids -> the causal convolutions' output before each position,
        (batch, length, dim), and after the last item, (batch, dim)."""
        activation = NONLINEARITIES[self.nonlinearity]
        embeddings = self.item_embeddings(item_sequences).transpose(1, 2)  # (batch, dim, length)
        x = embeddings
        for layer_number, (layer, width, rate) in enumerate(zip(self.cnn_layers, self.kernel_width,
                                                                self.dilation)):
            receptive_field = width + (width - 1) * (rate - 1)
            if layer_number == 0:
                convolved = activation(layer(F.pad(x, (receptive_field, 0))))
                residual = F.pad(embeddings, (1, 0))
            else:
                convolved = activation(layer(F.pad(x, (receptive_field - 1, 0))))
                residual = x
            x = convolved + residual if self.residual_connections else convolved
        states = x.transpose(1, 2)
        return states[:, :-1], states[:, -1]


class MixtureLSTMNet(_ItemScorer):
    """
    Users as mixtures of tastes (Kula, 2017): an LSTM whose state is projected
    into ``num_mixtures`` taste vectors and as many attention vectors; an item is
    scored against the tastes weighted by the softmax of its affinity with
    each attention vector.

    Parameters
    ----------
    num_items: int
    embedding_dim: int, optional
    num_mixtures: int, optional
    item_embedding_layer: torch.nn.Module, optional
    sparse: bool, optional
    """

    def __init__(self, num_items, embedding_dim=32, num_mixtures=4, item_embedding_layer=None,
                 sparse=False):
        super().__init__(num_items, embedding_dim, item_embedding_layer, sparse)
        self.num_mixtures = _checks.positive_int('num_mixtures', num_mixtures)
        self.lstm = nn.LSTM(batch_first=True, input_size=embedding_dim, hidden_size=embedding_dim)
        self.projection = nn.Linear(embedding_dim, embedding_dim * num_mixtures * 2)

    def user_representation(self, item_sequences):
        """(batch, length) item ids -> the taste and attention vectors before each position,
        (batch, length, 2 * num_mixtures, dim), and after the last item."""
        states, _ = self.lstm(self._padded_embeddings(item_sequences))
        mixtures = self.projection(states)
        mixtures = mixtures.reshape(*states.shape[:2], 2 * self.num_mixtures, self.embedding_dim)
        return mixtures[:, :-1], mixtures[:, -1]

    def _weighted_tastes(self, user_representations, target_embeddings):
        tastes = user_representations[..., :self.num_mixtures, :]
        attention = user_representations[..., self.num_mixtures:, :]
        weights = F.softmax((attention * target_embeddings.unsqueeze(-2)).sum(-1), dim=-1)
        return (weights.unsqueeze(-1) * tastes).sum(-2)

    def forward(self, user_representations, targets):
        """Score ``targets`` (any shape S) given representations of shape S + (2m, dim)."""
        embeddings = self.item_embeddings(targets)
        dot = (self._weighted_tastes(user_representations, embeddings) * embeddings).sum(-1)
        return dot + self.item_biases(targets).squeeze(-1)

    def score_all_items(self, final_representations):
        """Scores of every item, shape (batch, num_items), from finals of shape (batch, 2m, dim)."""
        items = all_embeddings(self.item_embeddings, self.num_items)  # (num_items, dim)
        tastes = final_representations[:, :self.num_mixtures] @ items.t()  # (batch, m, items)
        affinity = final_representations[:, self.num_mixtures:] @ items.t()
        scores = (F.softmax(affinity, dim=1) * tastes).sum(1)
        return scores + self.item_biases.weight.squeeze(1)
