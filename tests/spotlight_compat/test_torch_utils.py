"""
spotlight_compat.torch_utils: spotlight's helpers (set_seed, shuffle, minibatch,
assert_no_grad) and the training loop's shuffling, against our own expectations of what
spotlight's code does: the same permutations from the same random state, epoch after
epoch.
"""

import numpy as np
import pytest
import torch

from spotlight_compat.torch_utils import assert_no_grad, fit_minibatches, minibatch, set_seed, shuffle


def test_set_seed_seeds_torch():
    set_seed(123)
    first = torch.rand(3)
    set_seed(123, cuda=False)
    torch.testing.assert_close(torch.rand(3), first)
    with pytest.raises(ValueError, match='seed must be an integer'):
        set_seed(1.5)
    with pytest.raises(ValueError, match='cuda must be True or False'):
        set_seed(1, cuda='no')


def test_shuffle_minibatch_and_assert_no_grad_behave_as_spotlights():
    a, b = shuffle(np.arange(5), np.arange(5) * 10, random_state=np.random.RandomState(0))
    np.testing.assert_array_equal(b, a * 10)
    order = np.arange(5)
    np.random.RandomState(0).shuffle(order)
    np.testing.assert_array_equal(a, order)
    with pytest.raises(ValueError, match='same length'):
        shuffle(np.arange(2), np.arange(3))
    assert [len(x) for x in minibatch(np.arange(5), batch_size=2)] == [2, 2, 1]
    assert [x[1].tolist() for x in minibatch(np.arange(3), np.arange(3) + 5, batch_size=2)] == [
        [5, 6], [7]]
    with pytest.raises(ValueError, match='not requiring gradients'):
        assert_no_grad(torch.zeros(1, requires_grad=True))


def test_epochs_reshuffle_the_previous_order_as_spotlight_does():
    seen = []

    def record(batch):
        seen.append(batch.clone())
        return torch.zeros((), requires_grad=True)

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    fit_minibatches(record, optimizer, 6, 3, 6, np.random.RandomState(4), 'cpu', cumulative=True)
    state = np.random.RandomState(4)
    rows = np.arange(6)
    for epoch in range(3):
        state.shuffle(rows)  # spotlight: sequences = shuffle(sequences), epoch after epoch
        np.testing.assert_array_equal(seen[epoch].numpy(), rows)
