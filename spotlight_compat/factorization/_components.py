"""
What the two factorization models share: argument checks, the network's
construction, the training loop over (user, item) minibatches and the
processing of ids given to ``predict`` (scalars, vectors and spotlight's column
vectors alike).
"""

import numpy as np
import torch

from .. import _checks
from .._serialization import SerializableModel
from .._ids import as_id_vector, check_embedding_fits, check_in_range, device_memory
from ..interactions import Interactions
from ..torch_utils import (check_training_arguments, fit_minibatches, make_optimizer,
                           resolve_device, torch_seed)
from .representations import BilinearNet


class FactorizationModel(SerializableModel):
    """
    Base of ``ExplicitFactorizationModel`` and ``ImplicitFactorizationModel``.

    Subclasses set ``LOSSES`` (name to loss function) and define
    ``_batch_loss(users, items, ratings)``; they may override ``_link`` (score to
    prediction) and ``_check_fit_data``.

    Parameters
    ----------
    loss, embedding_dim, n_iter, batch_size, l2, learning_rate, optimizer_func, use_cuda, representation, sparse, random_state, device
        As documented by the subclasses (spotlight's arguments, plus ``device``).
    """

    LOSSES = {}

    def __init__(self, loss, embedding_dim, n_iter, batch_size, l2, learning_rate,
                 optimizer_func, use_cuda, representation, sparse, random_state, device):
        self._loss = _checks.choice('loss', loss, self.LOSSES)
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
        state = ('unfitted' if self._net is None
                 else f'{self._num_users} users x {self._num_items} items')
        return f'<{type(self).__name__}: {state}, embedding_dim={self._embedding_dim}>'

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
        if len(interactions) == 0:
            raise ValueError('interactions is empty: there is nothing to fit.')
        if self._net is not None:
            check_in_range('interactions.user_ids', interactions.user_ids, self._num_users,
                           f'the fitted model (num_users={self._num_users})')
            check_in_range('interactions.item_ids', interactions.item_ids, self._num_items,
                           f'the fitted model (num_items={self._num_items})')

    def fit(self, interactions, verbose=False):
        """
        Fit the model on ``interactions``.

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
        ratings = (None if interactions.ratings is None
                   else torch.from_numpy(interactions.ratings).to(self._device))
        self._net.train(True)
        return fit_minibatches(
            lambda batch: self._batch_loss(users[batch], items[batch],
                                           None if ratings is None else ratings[batch]),
            self._optimizer, len(users), self._n_iter, self._batch_size, self._random_state,
            self._device, verbose)

    def _batch_loss(self, users, items, ratings):
        raise NotImplementedError

    def _link(self, scores):
        return scores

    def predict(self, user_ids, item_ids=None):
        """
        Scores (predicted ratings for the explicit model) of users for items.

        Parameters
        ----------
        user_ids: int or array of int
            One user (scored against every item of ``item_ids``) or one user per item;
            a column vector, shape (n, 1), is read as a vector, as in spotlight.
        item_ids: int or array of int, optional
            Defaults to every item, for a single user; a column vector is accepted.

        Returns
        -------
        np.ndarray of np.float32, shape (len(item_ids),)

        Raises
        ------
        ValueError
            For ids that are not integers, lie outside the fitted ranges, or come in
            arrays of different lengths or of other shapes.
        """
        if self._net is None:
            raise RuntimeError('Call fit() before predict().')
        if item_ids is None:
            item_ids = np.arange(self._num_items)
        user_ids, item_ids = as_id_vector('user_ids', user_ids), as_id_vector('item_ids', item_ids)
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
            scores = self._link(scores)
        return scores.cpu().numpy().flatten()

