"""
Factorization model for explicit feedback (ratings), as spotlight's
``ExplicitFactorizationModel``, with spotlight's constructor, ``fit`` and
``predict`` signatures.
"""

import torch

from ..losses import logistic_loss, poisson_loss, regression_loss
from .._serialization import register
from ._components import FactorizationModel
from .representations import BilinearNet

LOSSES = {'regression': regression_loss, 'poisson': poisson_loss, 'logistic': logistic_loss}
#: Maps the network's score to the prediction, per loss.
LINKS = {'regression': lambda scores: scores, 'poisson': torch.exp, 'logistic': torch.sigmoid}


class ExplicitFactorizationModel(FactorizationModel):
    """
    A biased matrix factorisation trained on ratings with minibatches and Adam.

    Parameters
    ----------
    loss: str, optional
        'regression' (squared error), 'poisson' (ratings are counts; predictions
        are ``exp`` of the score) or 'logistic' (ratings are -1/+1; predictions are
        probabilities).
    embedding_dim: int, optional
        Number of embedding dimensions of users and items.
    n_iter: int, optional
        Number of epochs of each ``fit`` call.
    batch_size: int, optional
    l2: float, optional
        L2 penalty, applied as Adam's ``weight_decay``.
    learning_rate: float, optional
    optimizer_func: callable, optional
        Takes the model parameters and returns a torch optimizer; overrides
        ``l2`` and ``learning_rate``. Adam by default.
    use_cuda: bool, optional
        Run on the GPU (CUDA). If CUDA is not available this raises a ValueError
        at construction, rather than failing later inside PyTorch.
    representation: torch.nn.Module, optional
        Replaces the default network: a module mapping ``(user_ids, item_ids)``
        tensors to one score per pair.
    sparse: bool, optional
        Sparse gradients for the embeddings (needs an ``optimizer_func`` that
        accepts them, such as ``torch.optim.SGD``).
    random_state: np.random.RandomState or int, optional
        Seeds the initialisation and the shuffling; an int seeds a new RandomState.
    device: str or torch.device, optional
        An addition to spotlight's arguments: the torch device to run on, e.g.
        ``'cuda:1'``; overrides ``use_cuda`` (which must then be False or agree).
        By default the CPU, or CUDA with ``use_cuda=True``.

    Raises
    ------
    ValueError
        Naming the argument, for an unknown loss, a non-positive ``embedding_dim``,
        ``n_iter``, ``batch_size`` or ``learning_rate``, a negative ``l2``, an
        unusable device or random state.
    """

    LOSSES = LOSSES

    def __init__(self, loss='regression', embedding_dim=32, n_iter=10, batch_size=256, l2=0.0,
                 learning_rate=1e-2, optimizer_func=None, use_cuda=False, representation=None,
                 sparse=False, random_state=None, device=None):
        super().__init__(loss, embedding_dim, n_iter, batch_size, l2, learning_rate,
                         optimizer_func, use_cuda, representation, sparse, random_state, device)

    def _check_fit_data(self, interactions):
        super()._check_fit_data(interactions)
        if interactions.ratings is None:
            raise ValueError('ExplicitFactorizationModel needs interactions with ratings.')
        if self._loss == 'poisson' and interactions.ratings.min() < 0:
            raise ValueError(f"loss='poisson' needs non-negative ratings (counts); "
                             f"interactions.ratings contains {interactions.ratings.min()}.")

    def _batch_loss(self, users, items, ratings):
        scores = self._net(users, items)
        if self._loss == 'poisson':  # the loss takes the rate, exp of the score
            scores = torch.exp(scores)
        return LOSSES[self._loss](ratings, scores)

    def _link(self, scores):
        return LINKS[self._loss](scores)


register(ExplicitFactorizationModel, BilinearNet)
