"""
Validation of user and item ids, written once for ``Interactions``,
``SequenceInteractions`` and both models: ids are non-negative integers
(integer-valued floats are accepted), lie inside the id range of the data or
of the fitted model, and that range is small enough for an embedding table to
fit in memory (checked before allocating, as is the output of ``to_sequence``).
"""

import os

import numpy as np

#: Bytes per embedding entry: the float32 weight, its gradient and Adam's two moments.
BYTES_PER_TRAINED_ENTRY = 4 * 4


def as_ids(name, values, ndim=1, dtype=np.int64):
    """
    ``values`` as an array of ids of ``dtype``.

    Parameters
    ----------
    name: str
        The argument's name, used in error messages.
    values: array-like
        Integers, or floats with integer values.
    ndim: int, optional
        Required number of dimensions.
    dtype: numpy dtype, optional
        Dtype of the result; ids too large for it are rejected.

    Returns
    -------
    np.ndarray of ``dtype``

    Raises
    ------
    ValueError
        Naming ``name`` and the bad value, for the wrong number of dimensions, booleans,
        non-numbers, NaN, infinities, fractions, negative ids and ids too large for ``dtype``.
    """
    array = np.asarray(values)
    if array.ndim != ndim:
        raise ValueError(f'{name} must be {ndim}-dimensional, got shape {array.shape}.')
    _check_integer_valued(name, array)
    if array.size and array.min() < 0:
        raise ValueError(f'{name} contains the negative id {array.min()}; ids must be >= 0.')
    if array.size and array.max() > np.iinfo(dtype).max:
        raise ValueError(f'{name} contains the id {array.max()}, too large for {np.dtype(dtype)}; '
                         'map sparse ids to contiguous ones with spotlight_compat.IdMapping.')
    return np.ascontiguousarray(array, dtype=dtype)


def as_id_vector(name, values):
    """
    A scalar, a 1-D array or a column vector (shape (n, 1), spotlight's form) of
    ids as a 1-D int64 array.

    Parameters
    ----------
    name: str
        The argument's name, used in error messages.
    values: int or array-like

    Returns
    -------
    np.ndarray of np.int64, shape (n,)

    Raises
    ------
    ValueError
        For other shapes, or values that are not ids (see ``_ids.as_ids``).
    """
    array = np.asarray(values)
    if array.ndim == 0:
        array = array.reshape(1)
    elif array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    elif array.ndim != 1:
        raise ValueError(f'{name} must be a scalar, a vector or a column vector (n, 1), '
                         f'got shape {array.shape}.')
    return as_ids(name, array)


def _check_integer_valued(name, array):
    if array.dtype.kind == 'b':
        raise ValueError(f'{name} is a boolean array; ids must be integers '
                         '(to select rows with a mask, index the data with it instead).')
    if array.dtype.kind == 'f':
        if not np.all(np.isfinite(array)):
            raise ValueError(f'{name} contains {array[~np.isfinite(array)][0]}; ids must be '
                             'finite integers (drop or fill the missing ids first).')
        fraction = array != np.round(array)
        if np.any(fraction):
            raise ValueError(f'{name} contains the non-integer id {array[fraction][0]}; '
                             'ids must be integers.')
    elif array.size and array.dtype.kind not in 'iu':
        raise ValueError(f'{name} has dtype {array.dtype}; ids must be integers. Map arbitrary '
                         'keys to integer ids first, e.g. with spotlight_compat.IdMapping.')


def check_in_range(name, ids, count, what):
    """
    Raise a ValueError naming ``name`` unless every id lies in ``[0, count)``.

    Parameters
    ----------
    name: str
        The argument holding ``ids``.
    ids: np.ndarray of int
    count: int
        One more than the largest valid id.
    what: str
        Where ``count`` comes from, e.g. ``'num_items'`` or ``'the fitted model'``.
    """
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= count):
        bad = ids[(ids < 0) | (ids >= count)].flat[0]
        raise ValueError(f'{name} contains the id {bad}, outside [0, {count}) given by {what}.')


def check_embedding_fits(name, num_rows, embedding_dim, memory_bytes):
    """
    Raise before allocating an embedding table that cannot fit in memory.

    The bound is the device's total memory, not its free memory, so that a busy
    machine never turns a feasible model into an error.

    Parameters
    ----------
    name: str
        What the rows count, e.g. ``'num_users'``.
    num_rows: int
        Rows of the table (the largest id + 1).
    embedding_dim: int
    memory_bytes: int or None
        Total memory of the model's device; ``None`` skips the check.

    Raises
    ------
    ValueError
        Saying how much memory the table would need for training.
    """
    check_fits(f'{name}={num_rows} with embedding_dim={embedding_dim}',
               num_rows * (embedding_dim + 1) * BYTES_PER_TRAINED_ENTRY, memory_bytes,
               'to train (weights, gradients and Adam state)',
               'Ids index the embedding rows directly, so sparse ids (e.g. a user id of 2e9) '
               'waste memory: map them to contiguous ids with spotlight_compat.IdMapping.')


def check_fits(what, needed_bytes, memory_bytes, purpose, advice):
    """
    Raise a ValueError saying that ``what`` needs ``needed_bytes`` for ``purpose``,
    followed by ``advice``, when that exceeds ``memory_bytes``.

    Parameters
    ----------
    what: str
        What needs the memory, e.g. ``'num_users=2000000001 with embedding_dim=32'``.
    needed_bytes: int
    memory_bytes: int or None
        The memory there is; ``None`` (unknown) skips the check.
    purpose: str
        What the memory is for, e.g. ``'to train'``.
    advice: str
        What to do instead, appended to the message.

    Raises
    ------
    ValueError
        When ``needed_bytes`` exceeds ``memory_bytes``.
    """
    if memory_bytes is not None and needed_bytes > memory_bytes:
        raise ValueError(f'{what} needs {_gib(needed_bytes)} {purpose}, more than the '
                         f'{_gib(memory_bytes)} of memory there is. {advice}')


def device_memory(device=None):
    """
    Total bytes of memory of ``device``: the GPU's for CUDA, else the machine's RAM.

    Parameters
    ----------
    device: torch.device, optional
        ``None`` for the CPU.

    Returns
    -------
    int or None
        ``None`` where the platform does not say (no ``os.sysconf``).
    """
    if device is not None and device.type == 'cuda':
        import torch
        return torch.cuda.get_device_properties(device).total_memory
    try:
        return os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE')
    except (ValueError, OSError, AttributeError):
        return None


def _gib(num_bytes):
    return f'{num_bytes / 2 ** 30:,.1f} GiB'
