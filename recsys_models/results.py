"""One run's test metrics and training times, and a timer."""

import json
import time
from pathlib import Path

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

