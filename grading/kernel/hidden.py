"""
What the hidden tests run in the student's kernel: export the student's predictions for
the grader.

The grader's own process computes the metrics from the exported predictions
(``grading.scoring``), so nothing the kernel redefines (``rmse_score``, ``np.sqrt``, the
notebook's helpers) changes a score. When ``RECSYS_GRADING_EXPORT`` names a folder (the
grader sets it for the kernel), each function writes its file there, atomically;
otherwise (the solution run by nbval, a student's own run) the predictions are computed
and checked, and nothing is written.
"""

import io
import json
import os
from pathlib import Path

import numpy as np

EXPORT_VARIABLE = 'RECSYS_GRADING_EXPORT'
CURVES_FILE = 'curves.json'
RATINGS_FILE = 'ratings.npz'
NEXT_ITEMS_FILE = 'next_items.npz'


def export_training_curves(losses):
    """
    Export the training curves: one ``{'train': rmse, 'test': rmse}`` per epoch.

    Parameters
    ----------
    losses: sequence of mappings
        The notebook's ``losses``, one record per epoch.

    Raises
    ------
    ValueError
        When a record lacks ``'train'`` or ``'test'``, or holds no number there.
    """
    try:
        records = [{'train': float(record['train']), 'test': float(record['test'])} for record in losses]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError("losses must hold one {'train': rmse, 'test': rmse} per epoch: "
                         f'{error!r}') from None
    _write(CURVES_FILE, json.dumps(records).encode())


def export_ratings(model, pairs):
    """
    Export the ratings ``model`` predicts for the (user, item) rows ``pairs``.

    Parameters
    ----------
    model: torch.nn.Module
        The explicit-feedback model; ``model(x)`` takes a batch of (user, item) rows.
    pairs: torch.Tensor of int64, shape (n, 2)
        The test set's (user, item) rows (the notebook's ``X_test``).

    Raises
    ------
    ValueError
        When the model does not return one rating per row.
    """
    import torch

    pairs = torch.as_tensor(pairs)
    parameters = list(model.parameters()) if isinstance(model, torch.nn.Module) else []
    if isinstance(model, torch.nn.Module):
        model.eval()
    with torch.no_grad():
        predictions = model(pairs.to(parameters[0].device if parameters else pairs.device))
    if not isinstance(predictions, (torch.Tensor, np.ndarray)):
        raise ValueError(f'model(X) must return a tensor of ratings, got {type(predictions).__name__}')
    predictions = np.asarray(torch.as_tensor(predictions).detach().cpu(), dtype=np.float64)
    if predictions.shape != (len(pairs),):
        raise ValueError(f'model(X) must return one rating per row: shape ({len(pairs)},), '
                         f'got {predictions.shape}')
    _write_arrays(RATINGS_FILE, pairs=pairs.cpu().numpy(), predictions=predictions)


def export_next_item_scores(model, test_sequences, batch_size=512):
    """
    Export the scores ``model`` gives every item as the next one after each test prefix.

    Parameters
    ----------
    model: object
        Offers ``predict(sequence)`` (one score per item) and, optionally,
        ``predict_sequences(prefixes)`` (one row of scores per prefix).
    test_sequences: SequenceInteractions
        The test sequences; each row's items but the last are its prefix.
    batch_size: int, optional
        Prefixes per ``predict_sequences`` call.

    Raises
    ------
    ValueError
        When the scores do not have one column per item and one row per prefix.
    """
    prefixes = np.asarray(test_sequences.sequences)[:, :-1]
    try:
        if hasattr(model, 'predict_sequences'):
            batches = [prefixes[start:start + batch_size] for start in range(0, len(prefixes), batch_size)]
            scores = np.concatenate([np.asarray(model.predict_sequences(batch), dtype=np.float32)
                                     for batch in batches])
        else:
            scores = np.stack([np.asarray(model.predict(prefix), dtype=np.float32) for prefix in prefixes])
    except (TypeError, ValueError) as error:  # text, objects: not numbers
        raise ValueError(f'the model must return numbers, one score per item: {error}') from None
    expected = (len(prefixes), test_sequences.num_items)
    if scores.shape != expected:
        raise ValueError(f'the model must score every item for every prefix: shape {expected}, '
                         f'got {scores.shape}')
    _write_arrays(NEXT_ITEMS_FILE, prefixes=prefixes, scores=scores)


def _write_arrays(name, **arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _write(name, buffer.getvalue())


def _write(name, data):
    folder = os.environ.get(EXPORT_VARIABLE)
    if not folder:
        return
    from spotlight_compat.atomic import atomic_write_bytes
    Path(folder).mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(Path(folder) / name, data)
