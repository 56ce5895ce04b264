"""
spotlight_compat.layers: the initialisations of the embeddings and the Bloom embedding
(its sums, its gradients, its errors for bad arguments), against our own expectations;
and, in the last section, its hashing against spotlight 0.1.6's, which must put every id
in the rows spotlight puts it in (tests/fixtures/spotlight/reference_values.json).
"""

import numpy as np
import pytest
import torch

from spotlight_compat.layers import (SEEDS, BloomEmbedding, ScaledEmbedding, ScaledEmbeddingBag,
                                     ZeroEmbedding, bloom_hashes)
from tests.helpers import fingerprint, spotlight_reference

REFERENCE = spotlight_reference()


# --- Initialisation -------------------------------------------------------------------------

def test_scaled_embedding_is_drawn_with_std_one_over_dim_and_zero_padding():
    torch.manual_seed(0)
    layer = ScaledEmbedding(2000, 16, padding_idx=0)
    weights = layer.weight.detach()
    assert torch.all(weights[0] == 0)
    assert abs(weights[1:].std().item() - 1 / 16) < 0.002
    assert abs(weights[1:].mean().item()) < 0.002


def test_zero_embedding_and_bag_initialisation():
    assert torch.all(ZeroEmbedding(10, 3).weight == 0)
    torch.manual_seed(1)
    bag = ScaledEmbeddingBag(3000, 8, mode='sum')
    assert abs(bag.weight.detach().std().item() - 1 / 8) < 0.005


# --- BloomEmbedding -------------------------------------------------------------------------

def test_bloom_embedding_sums_the_rows_of_its_hashes():
    torch.manual_seed(0)
    layer = BloomEmbedding(100, 4, compression_ratio=0.3, num_hash_functions=3)
    ids = torch.tensor([[5, 0, 99], [7, 7, 1]])
    output = layer(ids)
    assert output.shape == (2, 3, 4)
    rows = layer.embeddings.weight[layer.hashes[5]]
    torch.testing.assert_close(output[0, 0], rows.sum(0))
    assert torch.all(output[0, 1] == 0)  # padding: every hash lands in the zero row
    torch.testing.assert_close(output[1, 0], output[1, 1])
    assert layer(torch.tensor([5, 99])).shape == (2, 4)  # like nn.Embedding


def test_bloom_bag_mode_gives_the_same_sums():
    torch.manual_seed(0)
    layer = BloomEmbedding(60, 5, compression_ratio=0.5, num_hash_functions=2, bag=True)
    ids = torch.tensor([[3, 4], [10, 59]])
    expected = layer.embeddings.weight[layer.hashes[ids]].sum(-2)
    torch.testing.assert_close(layer(ids), expected)


def test_bloom_hashing_is_murmurhash_modulo_the_table():
    from sklearn.utils import murmurhash3_32
    hashes = bloom_hashes(30, 7, 2, padding_idx=None)
    assert hashes[12, 1] == murmurhash3_32(12, seed=SEEDS[1]) % 7


@pytest.mark.parametrize('kwargs,message', [
    (dict(compression_ratio=0.001), r'leaves int\(0.001 \* 100\) = 0 rows'),
    (dict(num_hash_functions=25), 'Can use at most 24 hash functions'),
    (dict(compression_ratio=-1.0), 'compression_ratio must be a positive number'),
    (dict(padding_idx=100), 'padding_idx=100 is outside the 100 ids'),
    (dict(bag='yes'), 'bag must be True or False'),
])
def test_bloom_embedding_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BloomEmbedding(100, 8, **kwargs)


def test_bloom_embedding_gradients_reach_only_hashed_rows():
    layer = BloomEmbedding(200, 4, compression_ratio=0.5, num_hash_functions=2)
    layer(torch.tensor([17])).sum().backward()
    touched = set(np.flatnonzero(layer.embeddings.weight.grad.abs().sum(1).numpy()).tolist())
    assert touched == set(layer.hashes[17].tolist()) - {0}


# --- Against the hashes spotlight 0.1.6 computed (tests/fixtures/spotlight/) ----------------

@pytest.mark.parametrize('key', sorted(REFERENCE['bloom']))
def test_bloom_hashes_match_spotlight(key):
    num, ratio, count = key.split('_')
    expected = REFERENCE['bloom'][key]
    layer = BloomEmbedding(int(num), 8, compression_ratio=float(ratio),
                           num_hash_functions=int(count))
    assert layer.compressed_num_embeddings == expected['rows']
    assert layer.hashes.tolist()[:4] == expected['first']
    assert fingerprint(layer.hashes.numpy(), '<i8') == expected['hashes']
    assert layer.hashes.min() >= 0 and layer.hashes.max() < expected['rows']
