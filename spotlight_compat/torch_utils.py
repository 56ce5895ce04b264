"""
Helpers shared by the PyTorch models: argument checks, devices, optimisers,
seeding, minibatches and the training loop.
"""

import math
import numbers

import numpy as np
import torch

from . import _checks


def check_training_arguments(embedding_dim, n_iter, batch_size, l2, learning_rate,
                             optimizer_func, sparse):
    """
    Validate the hyperparameters both models share (spotlight's names).

    Parameters
    ----------
    embedding_dim, n_iter, batch_size: int
        Positive.
    l2: float
        Non-negative.
    learning_rate: float
        Positive.
    optimizer_func: callable or None
    sparse: bool
        ``True`` needs an ``optimizer_func`` (Adam takes no sparse gradients).

    Raises
    ------
    ValueError
        Naming the argument and its value.
    """
    _checks.positive_int('embedding_dim', embedding_dim)
    _checks.positive_int('n_iter', n_iter)
    _checks.positive_int('batch_size', batch_size)
    _checks.non_negative_float('l2', l2)
    _checks.positive_float('learning_rate', learning_rate)
    if optimizer_func is not None and not callable(optimizer_func):
        raise ValueError(f'optimizer_func must be None or a function of the model parameters '
                         f'returning a torch optimizer, got {optimizer_func!r}.')
    if _checks.flag('sparse', sparse) and optimizer_func is None:
        raise ValueError('sparse=True gives sparse gradients, which the default optimizer '
                         '(Adam) does not support; pass optimizer_func as well, e.g. '
                         'optimizer_func=lambda parameters: torch.optim.SGD(parameters, lr=0.05).')


def resolve_device(device, use_cuda):
    """
    The ``torch.device`` a model runs on.

    ``device`` wins when given; otherwise ``use_cuda`` chooses CUDA or the CPU,
    as in spotlight (CPU by default).

    Parameters
    ----------
    device: str, torch.device or None
    use_cuda: bool

    Returns
    -------
    torch.device
        Of type cpu, cuda, mps or xpu.

    Raises
    ------
    ValueError
        For an unknown device, ``use_cuda=True`` with a non-CUDA ``device``, or
        a CUDA device when CUDA is not available.
    """
    use_cuda = _checks.flag('use_cuda', use_cuda)
    if device is None:
        device = 'cuda' if use_cuda else 'cpu'
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"device must name a torch device such as 'cpu' or 'cuda', "
                         f"got {device!r} ({error}).") from None
    if device.type not in ('cpu', 'cuda', 'mps', 'xpu'):
        raise ValueError(f"device must be a cpu, cuda, mps or xpu device, got {str(device)!r}.")
    if use_cuda and device.type != 'cuda':
        raise ValueError(f'use_cuda=True contradicts device={str(device)!r}; pass one of them.')
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f'device {str(device)!r} was requested (use_cuda={use_cuda}) but CUDA is '
                         'not available here (torch.cuda.is_available() is False); pass '
                         "use_cuda=False or device='cpu'.")
    return device


def make_optimizer(parameters, optimizer_func, learning_rate, l2):
    """
    ``optimizer_func(parameters)`` when given (spotlight's escape hatch, which then
    ignores ``learning_rate`` and ``l2``), else Adam with its fused kernel.

    Parameters
    ----------
    parameters: iterable of torch.nn.Parameter
    optimizer_func: callable or None
    learning_rate: float
        Adam's ``lr``.
    l2: float
        Adam's ``weight_decay``.

    Returns
    -------
    torch.optim.Optimizer
    """
    if optimizer_func is not None:
        return optimizer_func(parameters)
    return torch.optim.Adam(parameters, lr=learning_rate, weight_decay=l2, fused=True)


def torch_seed(random_state):
    """
    Draw a torch seed from a ``np.random.RandomState``, as spotlight does.

    Parameters
    ----------
    random_state: np.random.RandomState
        Advanced by one draw.

    Returns
    -------
    int
        In [-10**8, 10**8).
    """
    return int(random_state.randint(-10 ** 8, 10 ** 8))


def fit_minibatches(batch_loss, optimizer, num_rows, n_iter, batch_size, random_state, device,
                    verbose=False, cumulative=False):
    """
    The training loop shared by the models: ``n_iter`` epochs over shuffled
    minibatches of row indices, one optimiser step per minibatch.

    Parameters
    ----------
    batch_loss: callable
        Maps a tensor of row indices to the loss of those rows.
    optimizer: torch.optim.Optimizer
    num_rows: int
        Rows of the training data.
    n_iter: int
        Epochs.
    batch_size: int
    random_state: np.random.RandomState
        Draws each epoch's permutation.
    device: torch.device
        Where the row indices are put.
    verbose: bool, optional
        Print each epoch's mean loss, as spotlight does.
    cumulative: bool, optional
        Each epoch shuffles the previous epoch's order (spotlight's sequence model
        reassigns its shuffled array) rather than the original rows.

    Returns
    -------
    list of float
        The mean training loss of each epoch.

    Raises
    ------
    ValueError
        When an epoch's loss is NaN or infinite (diverged training).
    """
    epoch_losses = []
    order = np.arange(num_rows)
    for epoch in range(n_iter):
        total = torch.zeros((), device=device)
        permutation = random_state.permutation(num_rows)
        order = order[permutation] if cumulative else permutation
        batches = torch.from_numpy(order).to(device).split(batch_size)
        for batch in batches:
            loss = batch_loss(batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach()
        epoch_losses.append(total.item() / len(batches))
        if verbose:
            print(f'Epoch {epoch}: loss {epoch_losses[-1]}')
        if not math.isfinite(epoch_losses[-1]):
            raise ValueError(f'Degenerate epoch loss: {epoch_losses[-1]} in epoch {epoch}; '
                             'lower learning_rate or look for extreme values in the data.')
    return epoch_losses


def set_seed(seed, cuda=False):
    """
    Seed torch's generator (and CUDA's with ``cuda=True``), as spotlight's ``set_seed``.

    Parameters
    ----------
    seed: int
    cuda: bool, optional

    Raises
    ------
    ValueError
        When ``seed`` is not an integer or ``cuda`` not a bool.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f'seed must be an integer, got {seed!r}.')
    torch.manual_seed(int(seed))
    if _checks.flag('cuda', cuda):
        torch.cuda.manual_seed(int(seed))


def gpu(tensor, gpu=False):
    """
    ``tensor`` moved to CUDA when ``gpu`` is true (spotlight's ``gpu``).

    Parameters
    ----------
    tensor: torch.Tensor or torch.nn.Module
    gpu: bool, optional

    Returns
    -------
    torch.Tensor or torch.nn.Module
    """
    return tensor.cuda() if gpu else tensor


def cpu(tensor):
    """
    ``tensor`` on the CPU (spotlight's ``cpu``).

    Parameters
    ----------
    tensor: torch.Tensor

    Returns
    -------
    torch.Tensor
        ``tensor`` itself when it is not on CUDA.
    """
    return tensor.cpu() if tensor.is_cuda else tensor


def minibatch(*tensors, batch_size=128):
    """
    Consecutive slices of ``batch_size`` rows, as spotlight's ``minibatch``.

    Parameters
    ----------
    *tensors: arrays or tensors
        Of the same length.
    batch_size: int, optional

    Yields
    ------
    array or tuple of arrays
        A slice of the one array given, as is, or a tuple of slices of several.
    """
    batch_size = _checks.positive_int('batch_size', batch_size)
    for start in range(0, len(tensors[0]), batch_size):
        if len(tensors) == 1:
            yield tensors[0][start:start + batch_size]
        else:
            yield tuple(x[start:start + batch_size] for x in tensors)


def shuffle(*arrays, random_state=None):
    """
    The arrays with their rows in one shared random order, as spotlight's
    ``shuffle``: the same ``random_state`` gives the same order.

    Parameters
    ----------
    *arrays: arrays or tensors
        Of the same length.
    random_state: None, int or np.random.RandomState, optional

    Returns
    -------
    array or tuple of arrays
        The one array given, or a tuple of them, rows reordered (copies).

    Raises
    ------
    ValueError
        When the arrays have different lengths.
    """
    if len(set(len(x) for x in arrays)) != 1:
        raise ValueError('All inputs to shuffle must have the same length, got lengths '
                         f'{[len(x) for x in arrays]}.')
    order = np.arange(len(arrays[0]))
    _checks.random_state(random_state).shuffle(order)
    if len(arrays) == 1:
        return arrays[0][order]
    return tuple(x[order] for x in arrays)


def assert_no_grad(variable):
    """
    Spotlight's check on targets: they must not require gradients.

    Parameters
    ----------
    variable: torch.Tensor

    Raises
    ------
    ValueError
        When ``variable`` requires a gradient.
    """
    if variable.requires_grad:
        raise ValueError("nn criterions don't compute the gradient w.r.t. targets - please "
                         "mark these variables as not requiring gradients.")
