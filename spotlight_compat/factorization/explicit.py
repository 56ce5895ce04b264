"""
Factorization model for explicit feedback (ratings), as spotlight's
``ExplicitFactorizationModel``.
"""

import numpy as np
import torch

from ..losses import regression_loss
from ..torch_utils import adam, as_id_array, default_device, fit_minibatches, torch_seed
from .representations import BilinearNet


class ExplicitFactorizationModel(object):
    """
    A biased matrix factorisation trained on ratings with a squared loss,
    minibatches and Adam.

    Parameters
    ----------
    loss: str, optional
        Only ``'regression'`` (squared error) is supported.
    embedding_dim: int, optional
    n_iter: int, optional
        Number of epochs.
    batch_size: int, optional
    l2: float, optional
        L2 penalty, applied as Adam's ``weight_decay``.
    learning_rate: float, optional
    device: str or torch.device, optional
        Defaults to CUDA when available, else CPU.
    random_state: np.random.RandomState, optional
        Seeds the initialisation and the shuffling.
    """

    def __init__(self, loss='regression', embedding_dim=32, n_iter=10, batch_size=256, l2=0.0,
                 learning_rate=1e-2, device=None, random_state=None):
        if loss != 'regression':
            raise ValueError(f"Unsupported loss {loss!r}; ExplicitFactorizationModel supports "
                             "'regression'.")
        self._embedding_dim = embedding_dim
        self._n_iter = n_iter
        self._batch_size = batch_size
        self._l2 = l2
        self._learning_rate = learning_rate
        self._device = default_device(device)
        self._random_state = random_state or np.random.RandomState()
        self._net = None

    def __repr__(self):
        state = 'unfitted' if self._net is None else f'{self._num_users} users x {self._num_items} items'
        return f'<ExplicitFactorizationModel: {state}, embedding_dim={self._embedding_dim}>'

    def _initialize(self, interactions):
        self._num_users, self._num_items = interactions.num_users, interactions.num_items
        torch.manual_seed(torch_seed(self._random_state))
        self._net = BilinearNet(self._num_users, self._num_items, self._embedding_dim).to(self._device)
        self._optimizer = adam(self._net.parameters(), self._learning_rate, self._l2)

    def fit(self, interactions, verbose=False):
        """
        Fit the model on ``interactions`` (which must have ratings).

        Returns
        -------
        list of float
            The mean training loss of each epoch.
        """
        if interactions.ratings is None:
            raise ValueError('ExplicitFactorizationModel needs interactions with ratings.')
        self._initialize(interactions)
        users = torch.from_numpy(interactions.user_ids.astype(np.int64)).to(self._device)
        items = torch.from_numpy(interactions.item_ids.astype(np.int64)).to(self._device)
        ratings = torch.from_numpy(interactions.ratings).to(self._device)
        return fit_minibatches(
            lambda batch: regression_loss(ratings[batch], self._net(users[batch], items[batch])),
            self._optimizer, len(users), self._n_iter, self._batch_size, self._random_state,
            self._device, verbose)

    def predict(self, user_ids, item_ids=None):
        """
        Predicted ratings.

        Parameters
        ----------
        user_ids: int or array of int
        item_ids: array of int, optional
            Defaults to every item, for a single user.

        Returns
        -------
        np.ndarray of np.float32
        """
        if self._net is None:
            raise RuntimeError('Call fit() before predict().')
        if item_ids is None:
            item_ids = np.arange(self._num_items)
        item_ids = as_id_array('item_ids', item_ids)
        user_ids = np.broadcast_to(as_id_array('user_ids', user_ids), item_ids.shape)
        _check_ids('user_ids', user_ids, self._num_users)
        _check_ids('item_ids', item_ids, self._num_items)
        with torch.inference_mode():
            scores = self._net(torch.from_numpy(np.array(user_ids)).to(self._device),
                               torch.from_numpy(item_ids).to(self._device))
        return scores.cpu().numpy().flatten()


def _check_ids(name, ids, count):
    if ids.size and (ids.min() < 0 or ids.max() >= count):
        bad = ids[(ids < 0) | (ids >= count)][0]
        raise ValueError(f"{name} contains {bad}, outside the fitted range [0, {count}).")
