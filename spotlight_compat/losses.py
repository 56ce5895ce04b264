"""
Loss functions for implicit-feedback models, as in spotlight. Each takes the
scores of positive and negative items and an optional mask of the positions
that count (non-padding), and returns the mean loss over those positions.
"""

import torch


def _masked_mean(loss, mask):
    if mask is None:
        return loss.mean()
    mask = mask.float()
    return (loss * mask).sum() / mask.sum()


def pointwise_loss(positive_predictions, negative_predictions, mask=None):
    """Logistic loss: push positives towards 1 and negatives towards 0 after a sigmoid."""
    loss = (1.0 - torch.sigmoid(positive_predictions)) + torch.sigmoid(negative_predictions)
    return _masked_mean(loss, mask)


def bpr_loss(positive_predictions, negative_predictions, mask=None):
    """Bayesian personalised ranking: positives should outscore negatives."""
    loss = 1.0 - torch.sigmoid(positive_predictions - negative_predictions)
    return _masked_mean(loss, mask)


def hinge_loss(positive_predictions, negative_predictions, mask=None):
    """Margin loss with a margin of one."""
    loss = torch.clamp(negative_predictions - positive_predictions + 1.0, 0.0)
    return _masked_mean(loss, mask)


def adaptive_hinge_loss(positive_predictions, negative_predictions, mask=None):
    """Hinge loss against the highest-scoring of several negatives (first dimension)."""
    highest_negative_predictions, _ = torch.max(negative_predictions, 0)
    return hinge_loss(positive_predictions, highest_negative_predictions, mask=mask)


def regression_loss(observed_ratings, predicted_ratings):
    """Mean squared error."""
    return ((observed_ratings - predicted_ratings) ** 2).mean()


def poisson_loss(observed_ratings, predicted_ratings):
    """Poisson negative log-likelihood (up to a constant) of counts given positive rates."""
    return (predicted_ratings - observed_ratings * torch.log(predicted_ratings)).mean()


def logistic_loss(observed_ratings, predicted_ratings):
    """Binary cross-entropy of logits against ratings of -1 (or 0) and +1."""
    targets = torch.clamp(observed_ratings, 0, 1)
    return torch.nn.functional.binary_cross_entropy_with_logits(predicted_ratings, targets)
