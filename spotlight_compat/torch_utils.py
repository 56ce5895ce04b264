"""Small helpers shared by the PyTorch models: devices, seeding, minibatches."""

import numpy as np
import torch

from .interactions import check_integer_ids


def default_device(device=None):
    """``device`` as a ``torch.device``; by default CUDA when available, else CPU."""
    if device is None:
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return torch.device(device)


def adam(parameters, learning_rate, weight_decay=0.0):
    """Adam with its fused kernel (one kernel for all parameters; fastest on CPU and CUDA)."""
    return torch.optim.Adam(parameters, lr=learning_rate, weight_decay=weight_decay, fused=True)


def torch_seed(random_state):
    """Draw a torch seed from a ``np.random.RandomState``, as spotlight does."""
    return int(random_state.randint(-10 ** 8, 10 ** 8))


def as_id_array(name, values):
    """
    ``values`` as an int64 array of ids.

    Raises
    ------
    ValueError
        Naming ``name``, for values that are not integers (strings, NaN, 1.5).
    """
    array = np.asarray(values)
    check_integer_ids(name, array)
    return array.astype(np.int64)


def shuffled_minibatches(num_rows, batch_size, random_state, device):
    """Index tensors of a random permutation of ``range(num_rows)``, in minibatches."""
    order = torch.from_numpy(random_state.permutation(num_rows)).to(device)
    return order.split(batch_size)


def fit_minibatches(batch_loss, optimizer, num_rows, n_iter, batch_size, random_state, device,
                    verbose=False):
    """
    The training loop shared by the models: ``n_iter`` epochs over shuffled
    minibatches of row indices, one optimiser step per minibatch.

    Parameters
    ----------
    batch_loss: callable
        Maps a tensor of row indices to the loss of those rows.

    Returns
    -------
    list of float
        The mean training loss of each epoch.
    """
    epoch_losses = []
    for epoch in range(n_iter):
        total = torch.zeros((), device=device)
        batches = shuffled_minibatches(num_rows, batch_size, random_state, device)
        for batch in batches:
            loss = batch_loss(batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach()
        epoch_losses.append(total.item() / len(batches))
        if verbose:
            print(f'Epoch {epoch}: loss {epoch_losses[-1]:.4f}')
    return epoch_losses


class ScaledEmbedding(torch.nn.Embedding):
    """Embedding initialised from N(0, (1 / embedding_dim)^2), padding row zeroed."""

    def reset_parameters(self):
        self.weight.data.normal_(0, 1.0 / self.embedding_dim)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx].fill_(0)


class ZeroEmbedding(torch.nn.Embedding):
    """Embedding initialised to zero (used for biases)."""

    def reset_parameters(self):
        self.weight.data.zero_()
