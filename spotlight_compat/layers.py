"""
Embedding layers for recommender models, as spotlight's ``layers`` module:
``ScaledEmbedding`` and ``ZeroEmbedding`` (initialisations used by every network
of this package), ``ScaledEmbeddingBag`` and ``BloomEmbedding``, which hashes a
large id space into a smaller table (Serra and Karatzoglou, "Getting deep
recommenders fit: Bloom embeddings for sparse binary input/output networks",
2017).
"""

import numpy as np
import torch
import torch.nn as nn
from sklearn.utils import murmurhash3_32

from . import _checks
from ._serialization import register

#: The murmurhash seeds of the hash functions, in order (spotlight's, so that the same
#: ids land in the same rows).
SEEDS = (
    179424941, 179425457, 179425907, 179426369,
    179424977, 179425517, 179425943, 179426407,
    179424989, 179425529, 179425993, 179426447,
    179425003, 179425537, 179426003, 179426453,
    179425019, 179425559, 179426029, 179426491,
    179425027, 179425579, 179426081, 179426549,
)


class ScaledEmbedding(nn.Embedding):
    """
    Embedding initialised from N(0, (1 / embedding_dim)^2), its padding row zeroed
    (spotlight's ``ScaledEmbedding``).

    Parameters
    ----------
    num_embeddings, embedding_dim, ...
        As ``torch.nn.Embedding``'s.
    """

    def reset_parameters(self):
        """Draw the weights (and zero the padding row)."""
        self.weight.data.normal_(0, 1.0 / self.embedding_dim)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx].fill_(0)


class ZeroEmbedding(nn.Embedding):
    """
    Embedding initialised to zero; used for biases (spotlight's ``ZeroEmbedding``).

    Parameters
    ----------
    num_embeddings, embedding_dim, ...
        As ``torch.nn.Embedding``'s.
    """

    def reset_parameters(self):
        """Zero the weights."""
        self.weight.data.zero_()


class ScaledEmbeddingBag(nn.EmbeddingBag):
    """
    EmbeddingBag initialised from N(0, (1 / embedding_dim)^2) (spotlight's
    ``ScaledEmbeddingBag``).

    Parameters
    ----------
    num_embeddings, embedding_dim, ...
        As ``torch.nn.EmbeddingBag``'s.
    """

    def reset_parameters(self):
        """Draw the weights."""
        self.weight.data.normal_(0, 1.0 / self.embedding_dim)


def bloom_hashes(num_embeddings, compressed_num_embeddings, num_hash_functions, padding_idx=0):
    """
    The rows each id is hashed to: for hash function j, the signed 32-bit
    murmurhash of the id with seed ``SEEDS[j]``, modulo ``compressed_num_embeddings``;
    the padding id goes to row 0 under every function.

    Parameters
    ----------
    num_embeddings: int
        Ids ``0 .. num_embeddings - 1`` are hashed.
    compressed_num_embeddings: int
        Rows of the table hashed into.
    num_hash_functions: int
        At most ``len(SEEDS)``.
    padding_idx: int or None, optional
        The id sent to row 0; ``None`` for none.

    Returns
    -------
    np.ndarray of np.int64, shape (num_embeddings, num_hash_functions)
    """
    ids = np.arange(num_embeddings, dtype=np.int32)
    columns = []
    for seed in SEEDS[:num_hash_functions]:
        hashed = murmurhash3_32(ids, seed=seed).astype(np.int64)
        if padding_idx is not None:
            hashed[padding_idx] = 0
        columns.append(hashed % compressed_num_embeddings)
    return np.stack(columns, axis=1)


class BloomEmbedding(nn.Module):
    """
    An embedding layer with fewer rows than ids: each id is hashed by
    ``num_hash_functions`` murmurhash functions into a table of
    ``int(compression_ratio * num_embeddings)`` rows, and its embedding is the
    sum of the rows it lands in.

    Parameters
    ----------
    num_embeddings: int
        Number of ids to represent.
    embedding_dim: int
    compression_ratio: float, optional
        Rows of the underlying table per id; below 1 compresses.
    num_hash_functions: int, optional
        At most ``len(SEEDS)`` (24).
    bag: bool, optional
        Sum the rows with an ``EmbeddingBag`` (which has no padding row) instead
        of an ``Embedding``.
    padding_idx: int or None, optional
        The id hashed to the (zero) row 0 by every function.

    Notes
    -----
    The output has the input's shape plus ``embedding_dim``, as ``nn.Embedding``
    (spotlight returns ``(batch, 1, dim)`` for a 1-D input, which its networks
    squeeze away). The hashes are computed once, at construction, and kept as a
    buffer that follows the module across devices.

    Raises
    ------
    ValueError
        For non-positive sizes or ratio, a table of fewer than one row, more
        hash functions than seeds, or a ``padding_idx`` outside the ids.
    """

    def __init__(self, num_embeddings, embedding_dim, compression_ratio=0.2,
                 num_hash_functions=4, bag=False, padding_idx=0):
        super().__init__()
        self.num_embeddings = _checks.positive_int('num_embeddings', num_embeddings)
        self.embedding_dim = _checks.positive_int('embedding_dim', embedding_dim)
        self.compression_ratio = _checks.positive_float('compression_ratio', compression_ratio)
        self.compressed_num_embeddings = int(compression_ratio * num_embeddings)
        if self.compressed_num_embeddings < 1:
            raise ValueError(f'compression_ratio={compression_ratio} leaves '
                             f'int({compression_ratio} * {num_embeddings}) = 0 rows; '
                             'raise compression_ratio.')
        self.num_hash_functions = _checks.positive_int('num_hash_functions', num_hash_functions)
        if num_hash_functions > len(SEEDS):
            raise ValueError(f'Can use at most {len(SEEDS)} hash functions '
                             f'({num_hash_functions} requested).')
        self.padding_idx = _checks.optional_count('padding_idx', padding_idx)
        if self.padding_idx is not None and self.padding_idx >= num_embeddings:
            raise ValueError(f'padding_idx={padding_idx} is outside the {num_embeddings} ids.')
        self._bag = _checks.flag('bag', bag)
        if self._bag:
            self.embeddings = ScaledEmbeddingBag(self.compressed_num_embeddings, embedding_dim,
                                                 mode='sum')
        else:
            self.embeddings = ScaledEmbedding(self.compressed_num_embeddings, embedding_dim,
                                              padding_idx=self.padding_idx)
        hashes = bloom_hashes(num_embeddings, self.compressed_num_embeddings,
                              num_hash_functions, self.padding_idx)
        self.register_buffer('hashes', torch.from_numpy(hashes), persistent=False)

    def __repr__(self):
        return (f'<BloomEmbedding (compression_ratio: {self.compression_ratio}): '
                f'{self.embeddings!r}>')

    def forward(self, indices):
        """
        Embeddings of ``indices``: the sum of the rows each id is hashed to
        (spotlight's ``BloomEmbedding.forward``).

        Parameters
        ----------
        indices: torch.Tensor of int
            Ids of any shape.

        Returns
        -------
        torch.Tensor, shape ``indices.shape + (embedding_dim,)``
        """
        hashed = self.hashes[indices.reshape(-1)]
        if self._bag:
            offsets = torch.arange(0, hashed.numel(), self.num_hash_functions,
                                   device=hashed.device)
            summed = self.embeddings(hashed.reshape(-1), offsets)
        else:
            summed = self.embeddings(hashed).sum(1)
        return summed.reshape(*indices.shape, self.embedding_dim)


def all_embeddings(layer, count):
    """
    The embeddings of ids ``0 .. count - 1`` under ``layer``: its weight for a plain
    ``nn.Embedding``, else the layer applied to every id.

    Parameters
    ----------
    layer: torch.nn.Module
        An embedding layer.
    count: int

    Returns
    -------
    torch.Tensor, shape (count, embedding_dim)
    """
    if type(layer) in (nn.Embedding, ScaledEmbedding, ZeroEmbedding):
        return layer.weight[:count]
    device = next(iter(layer.parameters())).device
    return layer(torch.arange(count, device=device))


def layer_width(name, layer, default):
    """
    The number of columns a user-supplied embedding layer gives: its
    ``embedding_dim`` attribute, or ``default`` for a layer that has none.

    Parameters
    ----------
    name: str
        The argument that supplied the layer, for the error message.
    layer: torch.nn.Module
    default: int or None

    Returns
    -------
    int or None

    Raises
    ------
    ValueError
        Naming the argument, for a layer that is not a module.
    """
    if not isinstance(layer, nn.Module):
        raise ValueError(f'{name} must be a torch.nn.Module (an embedding layer), got {layer!r}.')
    return getattr(layer, 'embedding_dim', default)


def embedding_dim_of(name, layer, embedding_dim):
    """
    Check that a user-supplied embedding layer gives ``embedding_dim`` columns,
    when it says how many (an ``embedding_dim`` attribute).

    Parameters
    ----------
    name: str
        The argument that supplied the layer, for the error message.
    layer: torch.nn.Module
    embedding_dim: int
        The width the network needs.

    Returns
    -------
    torch.nn.Module
        ``layer``.

    Raises
    ------
    ValueError
        Naming the argument, for a layer that is not a module or a width mismatch.
    """
    width = layer_width(name, layer, embedding_dim)
    if width != embedding_dim:
        raise ValueError(f'{name} has embedding_dim={width} but the network has '
                         f'embedding_dim={embedding_dim}; pass the same width to both.')
    return layer


register(ScaledEmbedding, ZeroEmbedding, ScaledEmbeddingBag, BloomEmbedding)
