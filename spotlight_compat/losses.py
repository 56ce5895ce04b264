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
    """
        Logistic loss: push positives towards 1 and negatives towards 0 after a sigmoid
        (spotlight's ``pointwise_loss``).

    Parameters
    ----------
    positive_predictions: torch.Tensor
        Scores of the known positive items.
    negative_predictions: torch.Tensor
        Scores of the sampled negative items, the shape of ``positive_predictions``.
    mask: torch.Tensor of bool, optional
        The positions that count (non-padding); ``None`` counts every position.

    Returns
    -------
    torch.Tensor
        The mean loss over the positions that count (a 0-dim tensor).
    """
    loss = (1.0 - torch.sigmoid(positive_predictions)) + torch.sigmoid(negative_predictions)
    return _masked_mean(loss, mask)


def bpr_loss(positive_predictions, negative_predictions, mask=None):
    """
        Bayesian personalised ranking: positives should outscore negatives (spotlight's
        ``bpr_loss``, pairwise).

    Parameters
    ----------
    positive_predictions: torch.Tensor
        Scores of the known positive items.
    negative_predictions: torch.Tensor
        Scores of the sampled negative items, the shape of ``positive_predictions``.
    mask: torch.Tensor of bool, optional
        The positions that count (non-padding); ``None`` counts every position.

    Returns
    -------
    torch.Tensor
        The mean loss over the positions that count (a 0-dim tensor).
    """
    loss = 1.0 - torch.sigmoid(positive_predictions - negative_predictions)
    return _masked_mean(loss, mask)


def hinge_loss(positive_predictions, negative_predictions, mask=None):
    """
        Margin loss with a margin of one (spotlight's ``hinge_loss``, pairwise).

    Parameters
    ----------
    positive_predictions: torch.Tensor
        Scores of the known positive items.
    negative_predictions: torch.Tensor
        Scores of the sampled negative items, the shape of ``positive_predictions``.
    mask: torch.Tensor of bool, optional
        The positions that count (non-padding); ``None`` counts every position.

    Returns
    -------
    torch.Tensor
        The mean loss over the positions that count (a 0-dim tensor).
    """
    loss = torch.clamp(negative_predictions - positive_predictions + 1.0, 0.0)
    return _masked_mean(loss, mask)


def adaptive_hinge_loss(positive_predictions, negative_predictions, mask=None):
    """
    Hinge loss against the highest-scoring of several negatives (spotlight's
    ``adaptive_hinge_loss``: the negatives closest to violating the ranking count).

    Parameters
    ----------
    positive_predictions: torch.Tensor
        Scores of the known positive items.
    negative_predictions: torch.Tensor
        Scores of several sampled negatives per positive, stacked along the first
        dimension: shape (num_negatives,) + ``positive_predictions.shape``.
    mask: torch.Tensor of bool, optional
        The positions that count (non-padding); ``None`` counts every position.

    Returns
    -------
    torch.Tensor
        The mean loss over the positions that count (a 0-dim tensor).
    """
    highest_negative_predictions, _ = torch.max(negative_predictions, 0)
    return hinge_loss(positive_predictions, highest_negative_predictions, mask=mask)


def regression_loss(observed_ratings, predicted_ratings):
    """
        Mean squared error (spotlight's ``regression_loss``).

    Parameters
    ----------
    observed_ratings: torch.Tensor
    predicted_ratings: torch.Tensor
        The model's outputs, the shape of ``observed_ratings``.

    Returns
    -------
    torch.Tensor
        The mean loss (a 0-dim tensor).
    """
    return ((observed_ratings - predicted_ratings) ** 2).mean()


def poisson_loss(observed_ratings, predicted_ratings):
    """
        Poisson negative log-likelihood (up to a constant) of counts given positive
        rates (spotlight's ``poisson_loss``).

    Parameters
    ----------
    observed_ratings: torch.Tensor
        Non-negative counts.
    predicted_ratings: torch.Tensor
        Positive rates, the shape of ``observed_ratings``.

    Returns
    -------
    torch.Tensor
        The mean loss (a 0-dim tensor).
    """
    return (predicted_ratings - observed_ratings * torch.log(predicted_ratings)).mean()


def logistic_loss(observed_ratings, predicted_ratings):
    """
        Binary cross-entropy of logits against ratings of -1 (or 0) and +1
        (spotlight's ``logistic_loss`` for explicit data).

    Parameters
    ----------
    observed_ratings: torch.Tensor
        +1 or -1 (0 counts as -1).
    predicted_ratings: torch.Tensor
        Logits, the shape of ``observed_ratings``.

    Returns
    -------
    torch.Tensor
        The mean loss (a 0-dim tensor).
    """
    targets = torch.clamp(observed_ratings, 0, 1)
    return torch.nn.functional.binary_cross_entropy_with_logits(predicted_ratings, targets)
