"""
Sequence model for implicit feedback, as spotlight's ``ImplicitSequenceModel``:
given the items a user interacted with, score every item as the next one.
"""

import numpy as np
import torch

from .. import _checks
from .._serialization import SerializableModel, register
from .._ids import as_id_vector, as_ids, check_embedding_fits, check_in_range, device_memory
from ..interactions import PADDING_IDX, SequenceInteractions
from ..sampling import sample_items
from ..losses import adaptive_hinge_loss, bpr_loss, hinge_loss, pointwise_loss
from ..torch_utils import (check_training_arguments, fit_minibatches, make_optimizer,
                           resolve_device, torch_seed)
from .representations import CNNNet, LSTMNet, MixtureLSTMNet, PoolNet

LOSSES = {'pointwise': pointwise_loss, 'bpr': bpr_loss, 'hinge': hinge_loss,
          'adaptive_hinge': adaptive_hinge_loss}
REPRESENTATIONS = {'pooling': PoolNet, 'cnn': CNNNet, 'lstm': LSTMNet, 'mixture': MixtureLSTMNet}


class ImplicitSequenceModel(SerializableModel):
    """
    Next-item model trained on every time step of every sequence at once: the
    representation before step t should score the item at t above negative
    items drawn uniformly from all item ids (``spotlight_compat.sampling.sample_items``,
    from the model's random state, as spotlight draws them: the same seed gives the
    same initial weights, shuffles and negatives).

    Parameters
    ----------
    loss: str, optional
        'pointwise', 'bpr', 'hinge' or 'adaptive_hinge'.
    representation: str or torch.nn.Module, optional
        'pooling', 'cnn', 'lstm' or 'mixture' (``PoolNet``, ``CNNNet``, ``LSTMNet``,
        ``MixtureLSTMNet`` with their defaults), or a module with the interface of
        ``spotlight_compat.sequence.representations``: ``user_representation(sequences)``
        returning the representations before each step, shape (batch, length) + R,
        and after the last, shape (batch,) + R; and ``forward(representations,
        items)`` scoring items. ``embedding_dim`` is then ignored.
    embedding_dim: int, optional
    n_iter: int, optional
        Number of epochs of each ``fit`` call.
    batch_size: int, optional
    l2: float, optional
        Adam's ``weight_decay``.
    learning_rate: float, optional
    optimizer_func: callable, optional
        Takes the model parameters and returns a torch optimizer; overrides
        ``l2`` and ``learning_rate``. Adam by default.
    use_cuda: bool, optional
        Run on the GPU (CUDA). If CUDA is not available this raises a ValueError
        at construction, rather than failing later inside PyTorch.
    sparse: bool, optional
        Sparse gradients for the item embeddings (needs an ``optimizer_func``
        that accepts them, such as ``torch.optim.SGD``).
    random_state: np.random.RandomState or int, optional
        Seeds the initialisation, the shuffling and the negative sampling; an int
        seeds a new RandomState.
    num_negative_samples: int, optional
        Negatives per step for the adaptive hinge loss.
    device: str or torch.device, optional
        An addition to spotlight's arguments: the torch device to run on, e.g.
        ``'cuda:1'``; overrides ``use_cuda`` (which must then be False or agree).
        By default the CPU, or CUDA with ``use_cuda=True``.

    Raises
    ------
    ValueError
        Naming the argument, for an unknown loss or representation, non-positive
        sizes, rates or sample counts, a negative ``l2``, an unusable device or
        random state.
    """

    def __init__(self, loss='pointwise', representation='pooling', embedding_dim=32, n_iter=10,
                 batch_size=256, l2=0.0, learning_rate=1e-2, optimizer_func=None,
                 use_cuda=False, sparse=False, random_state=None, num_negative_samples=5,
                 device=None):
        self._loss = _checks.choice('loss', loss, LOSSES)
        _check_representation(representation)
        check_training_arguments(embedding_dim, n_iter, batch_size, l2, learning_rate,
                                 optimizer_func, sparse)
        self._representation = representation
        self._embedding_dim = embedding_dim
        self._n_iter = n_iter
        self._batch_size = batch_size
        self._l2 = l2
        self._learning_rate = learning_rate
        self._optimizer_func = optimizer_func
        self._sparse = sparse
        self._num_negative_samples = _checks.positive_int('num_negative_samples',
                                                          num_negative_samples)
        self._device = resolve_device(device, use_cuda)
        self._random_state = _checks.random_state(random_state)
        self._net = None

    def __repr__(self):
        state = 'unfitted' if self._net is None else f'{self._num_items} items'
        return (f'<ImplicitSequenceModel: {state}, representation={self._representation!r}, '
                f'loss={self._loss!r}>')

    def _initialize(self, num_items):
        self._num_items = num_items
        torch.manual_seed(torch_seed(self._random_state))
        if isinstance(self._representation, str):
            check_embedding_fits('num_items', num_items, self._embedding_dim,
                                 device_memory(self._device))
            network = REPRESENTATIONS[self._representation](num_items, self._embedding_dim,
                                                            sparse=self._sparse)
        else:
            network = self._representation
        self._net = network.to(self._device)
        self._optimizer = make_optimizer(self._net.parameters(), self._optimizer_func,
                                         self._learning_rate, self._l2)

    def _negative_items(self, shape):
        """Negatives drawn from the model's random state, in spotlight's order of draws."""
        items = sample_items(self._num_items, tuple(shape), random_state=self._random_state)
        return torch.from_numpy(items).to(self._device)

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

        As in spotlight, calling ``fit`` again resumes training from where the
        previous call stopped (item ids must lie in the first call's range).

        Parameters
        ----------
        interactions: SequenceInteractions
        verbose: bool, optional
            Print the loss of each epoch.

        Returns
        -------
        list of float
            The mean training loss of each epoch of this call.
        """
        self._check_fit_data(interactions)
        if self._net is None:
            self._initialize(interactions.num_items)
        sequences = torch.from_numpy(interactions.sequences.astype(np.int64)).to(self._device)
        self._net.train(True)
        return fit_minibatches(lambda batch: self._batch_loss(sequences[batch]), self._optimizer,
                               len(sequences), self._n_iter, self._batch_size,
                               self._random_state, self._device, verbose, cumulative=True)

    def _check_fit_data(self, interactions):
        if not isinstance(interactions, SequenceInteractions):
            raise ValueError(f'interactions must be SequenceInteractions, got '
                             f'{type(interactions).__name__}; call interactions.to_sequence() '
                             'first.')
        if not np.any(interactions.sequences != PADDING_IDX):
            raise ValueError(f'interactions holds no items (sequences of shape '
                             f'{interactions.sequences.shape}, all padding): there is '
                             'nothing to fit.')
        if self._net is not None:
            check_in_range('interactions.sequences', interactions.sequences, self._num_items,
                           f'the fitted model (num_items={self._num_items})')

    def predict(self, sequences, item_ids=None):
        """
        Scores of every item (or of ``item_ids``) as the next item after ``sequences``.

        Parameters
        ----------
        sequences: array of int, shape (length,) or (1, length)
            One item sequence, left-padded with 0 if shorter; any length, even 0.
        item_ids: int or array of int, optional
            Items to score, as a vector or as spotlight's column vector (n, 1);
            every item by default.

        Returns
        -------
        np.ndarray of np.float32, shape (num_items,) or (len(item_ids),)

        Raises
        ------
        ValueError
            For more than one sequence, or ids that are not integers or lie outside
            the fitted range.
        """
        sequence = np.asarray(sequences)
        if sequence.ndim == 2 and len(sequence) == 1:  # spotlight's (1, length) form
            sequence = sequence[0]
        if sequence.ndim != 1:
            raise ValueError(f'predict scores one sequence, got sequences of shape '
                             f'{sequence.shape}; use predict_sequences for several.')
        scores = self.predict_sequences(sequence[None, :])[0]
        if item_ids is None:
            return scores
        item_ids = as_id_vector('item_ids', item_ids)
        check_in_range('item_ids', item_ids, self._num_items,
                       f'the fitted model (num_items={self._num_items})')
        return scores[item_ids]

    def predict_sequences(self, sequences):
        """
        Scores of every item after each row of ``sequences``.

        Parameters
        ----------
        sequences: 2-D array of int, shape (n, length)

        Returns
        -------
        np.ndarray of np.float32, shape (n, num_items)

        Raises
        ------
        ValueError
            For an array that is not 2-D, or ids that are not integers or lie outside
            the fitted range.
        """
        if self._net is None:
            raise RuntimeError('Call fit() before predict().')
        sequences = as_ids('sequences', sequences, ndim=2)
        check_in_range('sequences', sequences, self._num_items,
                       f'the fitted model (num_items={self._num_items})')
        self._net.train(False)
        with torch.inference_mode():
            _, final = self._net.user_representation(torch.from_numpy(sequences).to(self._device))
            scores = self._score_all_items(final)
        return scores.cpu().numpy()

    def _score_all_items(self, final):
        """Scores of every item given the final representations, shape (n, num_items)."""
        if hasattr(self._net, 'score_all_items'):
            return self._net.score_all_items(final)
        items = torch.arange(self._num_items, device=final.device).expand(len(final), -1)
        return self._net(final.unsqueeze(1).expand(-1, self._num_items, *final.shape[1:]), items)


def _check_representation(representation):
    if isinstance(representation, torch.nn.Module):
        if not hasattr(representation, 'user_representation'):
            raise ValueError('representation is a module without user_representation(); see '
                             'spotlight_compat.sequence.representations for the interface.')
        return
    _checks.choice('representation', representation, REPRESENTATIONS)


register(ImplicitSequenceModel, *REPRESENTATIONS.values())
