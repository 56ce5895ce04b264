"""
spotlight_compat.losses: spotlight's implicit (pointwise, BPR, hinge, adaptive hinge) and
explicit (regression, Poisson, logistic) losses, against values worked out by hand.
"""

import math

import pytest
import torch

from spotlight_compat import losses

SIGMOID_1 = 1 / (1 + math.exp(-1))


@pytest.mark.parametrize('loss,positive,negative,mask,expected', [
    # Scores 0 give sigmoid 0.5 on both sides: (1 - 0.5) + 0.5.
    (losses.pointwise_loss, [0.0, 0.0], [0.0, 0.0], None, 1.0),
    (losses.pointwise_loss, [1.0, 9.0], [-1.0, 9.0], [True, False], 2 * (1 - SIGMOID_1)),
    (losses.bpr_loss, [2.0, 0.0], [1.0, 0.0], None, ((1 - SIGMOID_1) + 0.5) / 2),
    (losses.hinge_loss, [2.0, 0.0], [0.5, 0.5], None, (0.0 + 1.5) / 2),
    (losses.hinge_loss, [2.0, 0.0], [0.5, 0.5], [False, True], 1.5),
    # Adaptive hinge: the highest of the negatives (first dimension) counts.
    (losses.adaptive_hinge_loss, [1.0], [[0.5], [2.0], [-3.0]], None, 2.0),
])
def test_implicit_losses(loss, positive, negative, mask, expected):
    mask = None if mask is None else torch.tensor(mask)
    value = loss(torch.tensor(positive), torch.tensor(negative), mask=mask)
    assert value.item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize('loss,observed,predicted,expected', [
    (losses.regression_loss, [3.0, 5.0], [4.0, 2.0], (1 + 9) / 2),
    # Poisson: rate - count * log(rate).
    (losses.poisson_loss, [2.0, 0.0], [1.0, 3.0], ((1 - 0) + 3) / 2),
    # Logistic: ratings -1 count as 0; cross-entropy of the logits.
    (losses.logistic_loss, [1.0, -1.0], [0.0, 0.0], math.log(2)),
])
def test_explicit_losses(loss, observed, predicted, expected):
    value = loss(torch.tensor(observed), torch.tensor(predicted))
    assert value.item() == pytest.approx(expected, rel=1e-6)
