"""
Factorization model for explicit feedback (ratings), as spotlight's
``ExplicitFactorizationModel``, with spotlight's constructor, ``fit`` and
``predict`` signatures.
"""

import numpy as np
import torch

from .. import _checks
from .._ids import as_ids, check_embedding_fits, check_in_range, device_memory
from ..interactions import Interactions
from ..losses import logistic_loss, poisson_loss, regression_loss
from ..torch_utils import (check_training_arguments, fit_minibatches, make_optimizer,
                           resolve_device, torch_seed)
from .representations import BilinearNet

LOSSES = {'regression': regression_loss, 'poisson': poisson_loss, 'logistic': logistic_loss}
#: Maps the network's score to the prediction, per loss.
LINKS = {'regression': lambda scores: scores, 'poisson': torch.exp, 'logistic': torch.sigmoid}


class ExplicitFactorizationModel(object):
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

    def __init__(self, loss='regression', embedding_dim=32, n_iter=10, batch_size=256, l2=0.0,
                 learning_rate=1e-2, optimizer_func=None, use_cuda=False, representation=None,
                 sparse=False, random_state=None, device=None):
        self._loss = _checks.choice('loss', loss, LOSSES)
        check_training_arguments(embedding_dim, n_iter, batch_size, l2, learning_rate,
                                 optimizer_func, sparse)
        if representation is not None and not isinstance(representation, torch.nn.Module):
            raise ValueError(f'representation must be None or a torch.nn.Module scoring '
                             f'(user_ids, item_ids) pairs, got {representation!r}.')
        self._embedding_dim = embedding_dim
        self._n_iter = n_iter
        self._batch_size = batch_size
        self._l2 = l2
        self._learning_rate = learning_rate
        self._optimizer_func = optimizer_func
        self._representation = representation
        self._sparse = sparse
        self._device = resolve_device(device, use_cuda)
        self._random_state = _checks.random_state(random_state)
        self._net = None

    def __repr__(self):
        state = 'unfitted' if self._net is None else f'{self._num_users} users x {self._num_items} items'
        return f'<ExplicitFactorizationModel: {state}, embedding_dim={self._embedding_dim}>'

    def _initialize(self, interactions):
        self._num_users, self._num_items = interactions.num_users, interactions.num_items
        torch.manual_seed(torch_seed(self._random_state))
        if self._representation is None:
            memory = device_memory(self._device)
            check_embedding_fits('num_users', self._num_users, self._embedding_dim, memory)
            check_embedding_fits('num_items', self._num_items, self._embedding_dim, memory)
            network = BilinearNet(self._num_users, self._num_items, self._embedding_dim,
                                  sparse=self._sparse)
        else:
            network = self._representation
        self._net = network.to(self._device)
        self._optimizer = make_optimizer(self._net.parameters(), self._optimizer_func,
                                         self._learning_rate, self._l2)

    def _check_fit_data(self, interactions):
        if not isinstance(interactions, Interactions):
            raise ValueError(f'interactions must be an Interactions object, got '
                             f'{type(interactions).__name__}.')
        if interactions.ratings is None:
            raise ValueError('ExplicitFactorizationModel needs interactions with ratings.')
        if len(interactions) == 0:
            raise ValueError('interactions is empty: there is nothing to fit.')
        if self._loss == 'poisson' and interactions.ratings.min() < 0:
            raise ValueError(f"loss='poisson' needs non-negative ratings (counts); "
                             f"interactions.ratings contains {interactions.ratings.min()}.")
        if self._net is not None:
            check_in_range('interactions.user_ids', interactions.user_ids, self._num_users,
                           f'the fitted model (num_users={self._num_users})')
            check_in_range('interactions.item_ids', interactions.item_ids, self._num_items,
                           f'the fitted model (num_items={self._num_items})')

    def fit(self, interactions, verbose=False):
        """
        Fit the model on ``interactions`` (which must have ratings).

        As in spotlight, calling ``fit`` again resumes training from where the
        previous call stopped (the ids must lie in the first call's ranges).

        Parameters
        ----------
        interactions: Interactions
        verbose: bool, optional
            Print the loss of each epoch.

        Returns
        -------
        list of float
            The mean training loss of each epoch of this call.
        """
        self._check_fit_data(interactions)
        if self._net is None:
            self._initialize(interactions)
        users = torch.from_numpy(interactions.user_ids.astype(np.int64)).to(self._device)
        items = torch.from_numpy(interactions.item_ids.astype(np.int64)).to(self._device)
        ratings = torch.from_numpy(interactions.ratings).to(self._device)
        self._net.train(True)
        return fit_minibatches(
            lambda batch: self._batch_loss(users[batch], items[batch], ratings[batch]),
            self._optimizer, len(users), self._n_iter, self._batch_size, self._random_state,
            self._device, verbose)

    def _batch_loss(self, users, items, ratings):
        scores = self._net(users, items)
        if self._loss == 'poisson':  # the loss takes the rate, exp of the score
            scores = torch.exp(scores)
        return LOSSES[self._loss](ratings, scores)

    def predict(self, user_ids, item_ids=None):
        """
        Predicted ratings.

        Parameters
        ----------
        user_ids: int or array of int
            One user (scored against every item of ``item_ids``) or one user per item.
        item_ids: int or array of int, optional
            Defaults to every item, for a single user.

        Returns
        -------
        np.ndarray of np.float32, shape (len(item_ids),)

        Raises
        ------
        ValueError
            For ids that are not integers, lie outside the fitted ranges, or come in
            arrays of different lengths.
        """
        if self._net is None:
            raise RuntimeError('Call fit() before predict().')
        if item_ids is None:
            item_ids = np.arange(self._num_items)
        user_ids, item_ids = _as_id_vector('user_ids', user_ids), _as_id_vector('item_ids', item_ids)
        if len(user_ids) == 1:
            user_ids = np.repeat(user_ids, len(item_ids))
        if len(user_ids) != len(item_ids):
            raise ValueError(f'user_ids has {len(user_ids)} entries but item_ids has '
                             f'{len(item_ids)}; pass one user id, or one per item id.')
        check_in_range('user_ids', user_ids, self._num_users,
                       f'the fitted model (num_users={self._num_users})')
        check_in_range('item_ids', item_ids, self._num_items,
                       f'the fitted model (num_items={self._num_items})')
        self._net.train(False)
        with torch.inference_mode():
            scores = self._net(torch.from_numpy(user_ids).to(self._device),
                               torch.from_numpy(item_ids).to(self._device))
            scores = LINKS[self._loss](scores)
        return scores.cpu().numpy().flatten()


def _as_id_vector(name, values):
    """A scalar or 1-D array of ids as a 1-D int64 array."""
    array = np.asarray(values)
    return as_ids(name, array.reshape(1) if array.ndim == 0 else array)
