"""
Factorization model for implicit feedback, as spotlight's
``ImplicitFactorizationModel``: observed (user, item) pairs should score above
items drawn at random, with spotlight's constructor, ``fit`` and ``predict``.
"""

import torch

from ..losses import adaptive_hinge_loss, bpr_loss, hinge_loss, pointwise_loss
from ..sampling import sample_items
from .. import _checks
from .._serialization import register
from ._components import FactorizationModel
from .representations import BilinearNet

LOSSES = {'pointwise': pointwise_loss, 'bpr': bpr_loss, 'hinge': hinge_loss,
          'adaptive_hinge': adaptive_hinge_loss}


class ImplicitFactorizationModel(FactorizationModel):
    """
    A biased matrix factorisation trained by negative sampling: for every
    observed (user, item) pair in a minibatch, an item drawn uniformly from all
    ids (``spotlight_compat.sampling.sample_items``, from the model's random
    state) acts as a negative.

    Parameters
    ----------
    loss: str, optional
        'pointwise', 'bpr', 'hinge' or 'adaptive_hinge' (the hinge against the
        highest-scoring of ``num_negative_samples`` negatives).
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
        Run on the GPU (CUDA); a ValueError at construction when it is unavailable.
    representation: torch.nn.Module, optional
        Replaces the default ``BilinearNet``: a module mapping ``(user_ids,
        item_ids)`` tensors to one score per pair.
    sparse: bool, optional
        Sparse gradients for the embeddings (needs an ``optimizer_func`` that
        accepts them, such as ``torch.optim.SGD``).
    random_state: np.random.RandomState or int, optional
        Seeds the initialisation, the shuffling and the negative items.
    num_negative_samples: int, optional
        Negatives per pair for the adaptive hinge loss.
    device: str or torch.device, optional
        An addition to spotlight's arguments: the torch device, e.g. ``'cuda:1'``.

    Notes
    -----
    With the adaptive hinge loss, spotlight scores the negatives of a minibatch
    row by row for users that belong to other rows (a reshape of a (batch, n)
    array into (n, batch)); here every pair's negatives are scored for its own
    user. The draws are the same.

    Raises
    ------
    ValueError
        Naming the argument, for an unknown loss, non-positive sizes, rates or
        sample counts, a negative ``l2``, an unusable device or random state.
    """

    LOSSES = LOSSES

    def __init__(self, loss='pointwise', embedding_dim=32, n_iter=10, batch_size=256, l2=0.0,
                 learning_rate=1e-2, optimizer_func=None, use_cuda=False, representation=None,
                 sparse=False, random_state=None, num_negative_samples=5, device=None):
        super().__init__(loss, embedding_dim, n_iter, batch_size, l2, learning_rate,
                         optimizer_func, use_cuda, representation, sparse, random_state, device)
        self._num_negative_samples = _checks.positive_int('num_negative_samples',
                                                          num_negative_samples)

    def _negative_items(self, count):
        items = sample_items(self._num_items, count, random_state=self._random_state)
        return torch.from_numpy(items).to(self._device)

    def _batch_loss(self, users, items, ratings):
        positive = self._net(users, items)
        if self._loss == 'adaptive_hinge':
            count = self._num_negative_samples
            negatives = self._negative_items(count * len(users)).reshape(count, len(users))
            negative = self._net(users.repeat(count), negatives.reshape(-1))
            negative = negative.reshape(count, len(users))
        else:
            negative = self._net(users, self._negative_items(len(users)))
        return LOSSES[self._loss](positive, negative)


register(ImplicitFactorizationModel, BilinearNet)
