"""
One run's test metrics and training times, a timer, and how a metric over seeds is summed up.

Over seeds, the project reports the mean and the *sample* standard deviation (ddof=1: the
seeds are a sample of the splits one could draw), everywhere: ``mean_and_std``.
"""

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from spotlight_compat.atomic import atomic_write_bytes


class Metrics:
    """
    The test metric of each model of one run, keyed by (part, model name).

    Parameters
    ----------
    seed: int
        The run's seed, stored with every row.

    Examples
    --------
    >>> metrics = Metrics(seed=0)
    >>> metrics.record('explicit', 'global mean', 'RMSE', 1.12, train_seconds=0.0)
    1.12
    """

    def __init__(self, seed):
        self.seed, self.rows = seed, {}

    def record(self, part, model, metric, value, train_seconds=None):
        """Store (or replace) one model's test metric; return the value as a float."""
        value = float(value)
        if not value == value:  # NaN
            raise ValueError(f'{model}: the {metric} is NaN; the model or its predictions are broken.')
        self.rows[part, model] = dict(
            part=part, model=model, metric=metric, value=value, seed=self.seed,
            train_seconds=None if train_seconds is None else round(float(train_seconds), 2))
        return value

    def table(self, part=None):
        """The rows (of one ``part``, or all) as a DataFrame indexed by model."""
        rows = [row for row in self.rows.values() if part is None or row['part'] == part]
        if not rows:
            raise ValueError(f'no metric recorded for part {part!r}; recorded parts: '
                             f'{sorted({row["part"] for row in self.rows.values()})}')
        return pd.DataFrame(rows).set_index('model')[['metric', 'value', 'train_seconds']]

    def write(self, path):
        """Write every row to the JSON file ``path`` (atomically: never a half-written file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(list(self.rows.values()), indent=1) + '\n'
        atomic_write_bytes(path, text.encode('utf-8'))


class Timer:
    """
    Wall time of a ``with`` block.

    Examples
    --------
    >>> with Timer() as timer:
    ...     pass
    >>> timer.seconds >= 0
    True
    """

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start



def mean_and_std(values):
    """
    The mean and the sample standard deviation (ddof=1) of per-seed ``values``.

    Returns
    -------
    (float, float or None)
        The std is None for a single value.

    Examples
    --------
    >>> mean_and_std([1.0, 2.0, 3.0])
    (2.0, 1.0)
    >>> mean_and_std([0.5])
    (0.5, None)
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise ValueError('no values: a mean over seeds needs at least one.')
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else None


def format_mean_std(values, digits=4):
    """
    'mean ± std' of per-seed ``values`` (``mean_and_std``); the mean alone for one value.

    Examples
    --------
    >>> format_mean_std([0.5, 0.7])
    '0.6000 ± 0.1414'
    """
    mean, std = mean_and_std(values)
    return f'{mean:.{digits}f}' if std is None else f'{mean:.{digits}f} ± {std:.{digits}f}'
