"""
Sequence model for implicit feedback, as spotlight's ``ImplicitSequenceModel``:
given the items a user interacted with, score every item as the next one.
"""

import numpy as np
import torch

from ..interactions import PADDING_IDX, SequenceInteractions
from ..losses import adaptive_hinge_loss, bpr_loss, hinge_loss, pointwise_loss
from ..torch_utils import adam, as_id_array, default_device, fit_minibatches, torch_seed
from .representations import LSTMNet, PoolNet

LOSSES = {'pointwise': pointwise_loss, 'bpr': bpr_loss, 'hinge': hinge_loss,
          'adaptive_hinge': adaptive_hinge_loss}
REPRESENTATIONS = {'pooling': PoolNet, 'lstm': LSTMNet}


class ImplicitSequenceModel(object):
    """
    Next-item model trained on every time step of every sequence at once: the
    representation before step t should score the item at t above negative
    items drawn uniformly from all item ids.

    Parameters
    ----------
    loss: str, optional
        'pointwise', 'bpr', 'hinge' or 'adaptive_hinge'.
    representation: str, optional
        'pooling' or 'lstm'.
    embedding_dim: int, optional
    n_iter: int, optional
        Number of epochs.
    batch_size: int, optional
    l2: float, optional
        Adam's ``weight_decay``.
    learning_rate: float, optional
    num_negative_samples: int, optional
        Negatives per step for the adaptive hinge loss.
    device: str or torch.device, optional
        Defaults to CUDA when available, else CPU.
    random_state: np.random.RandomState, optional
        Seeds the initialisation, the shuffling and the negative sampling.
    """

    def __init__(self, loss='pointwise', representation='pooling', embedding_dim=32, n_iter=10,
                 batch_size=256, l2=0.0, learning_rate=1e-2, num_negative_samples=5,
                 device=None, random_state=None):
        if loss not in LOSSES:
            raise ValueError(f"Unknown loss {loss!r}; choose one of {sorted(LOSSES)}.")
        if representation not in REPRESENTATIONS:
            raise ValueError(f"Unknown representation {representation!r}; choose one of "
                             f"{sorted(REPRESENTATIONS)}.")
        self._loss = loss
        self._representation = representation
        self._embedding_dim = embedding_dim
        self._n_iter = n_iter
        self._batch_size = batch_size
        self._l2 = l2
        self._learning_rate = learning_rate
        self._num_negative_samples = num_negative_samples
        self._device = default_device(device)
        self._random_state = random_state or np.random.RandomState()
        self._net = None

    def __repr__(self):
        state = 'unfitted' if self._net is None else f'{self._num_items} items'
        return (f'<ImplicitSequenceModel: {state}, representation={self._representation!r}, '
                f'loss={self._loss!r}>')

    def _initialize(self, num_items):
        self._num_items = num_items
        torch.manual_seed(torch_seed(self._random_state))
        network = REPRESENTATIONS[self._representation]
        self._net = network(num_items, self._embedding_dim).to(self._device)
        self._optimizer = adam(self._net.parameters(), self._learning_rate, self._l2)

    def _negative_items(self, shape):
        return torch.randint(0, self._num_items, shape, device=self._device)

    def _batch_loss(self, sequences):
        representations, _ = self._net.user_representation(sequences)
        positive = self._net(representations, sequences)
        if self._loss == 'adaptive_hinge':
            negatives = self._negative_items((self._num_negative_samples,) + sequences.shape)
            negative = self._net(representations.unsqueeze(0), negatives)
        else:
            negative = self._net(representations, self._negative_items(sequences.shape))
        return LOSSES[self._loss](positive, negative, mask=sequences != PADDING_IDX)

    def fit(self, interactions, verbose=False):
        """
        Fit the model on ``interactions`` (a ``SequenceInteractions``).

        Returns
        -------
        list of float
            The mean training loss of each epoch.
        """
        if not isinstance(interactions, SequenceInteractions):
            raise TypeError('ImplicitSequenceModel.fit needs SequenceInteractions; call '
                            'interactions.to_sequence() first.')
        self._initialize(interactions.num_items)
        sequences = torch.from_numpy(interactions.sequences.astype(np.int64)).to(self._device)
        return fit_minibatches(lambda batch: self._batch_loss(sequences[batch]), self._optimizer,
                               len(sequences), self._n_iter, self._batch_size,
                               self._random_state, self._device, verbose)

    def predict(self, sequences, item_ids=None):
        """
        Scores of every item (or of ``item_ids``) as the next item after ``sequences``.

        Parameters
        ----------
        sequences: 1-D array of int
            One item sequence, left-padded with 0 if shorter; any length, even 0.
        item_ids: array of int, optional

        Returns
        -------
        np.ndarray of np.float32, shape (num_items,) or (len(item_ids),)

        Raises
        ------
        ValueError
            For a sequence that is not 1-D, or holds non-integer or out-of-range ids.
        """
        sequence = as_id_array('sequences', sequences)
        if sequence.ndim != 1:
            raise ValueError(f'predict scores one 1-D sequence, got shape {sequence.shape}; '
                             'use predict_sequences for a 2-D array of sequences.')
        scores = self.predict_sequences(sequence[None, :])[0]
        return scores if item_ids is None else scores[np.asarray(item_ids)]

    def predict_sequences(self, sequences):
        """
        Scores of every item after each row of ``sequences``.

        Parameters
        ----------
        sequences: 2-D array of int, shape (n, length)

        Returns
        -------
        np.ndarray of np.float32, shape (n, num_items)
        """
        if self._net is None:
            raise RuntimeError('Call fit() before predict().')
        sequences = as_id_array('sequences', sequences)
        if sequences.ndim != 2:
            raise ValueError(f'sequences must be 2-D, got shape {sequences.shape}.')
        if sequences.size and (sequences.min() < 0 or sequences.max() >= self._num_items):
            raise ValueError(f'sequences contain item ids outside [0, {self._num_items}).')
        with torch.inference_mode():
            _, final = self._net.user_representation(torch.from_numpy(sequences).to(self._device))
            scores = self._net.score_all_items(final)
        return scores.cpu().numpy()
