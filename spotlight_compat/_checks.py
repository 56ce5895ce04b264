"""
Validation of scalar arguments (sizes, rates, fractions, flags, random states),
shared by the data classes, the splits, the metrics and the models. Every
check raises a ValueError that names the argument and the value it got.
"""

import numbers
import math

import numpy as np


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def positive_int(name, value):
    """``value`` as an int >= 1."""
    if _is_bool(value) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f'{name} must be a positive integer, got {value!r}.')
    return int(value)


def optional_count(name, value):
    """``value`` as an int >= 0, or ``None``."""
    if value is None:
        return None
    if _is_bool(value) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f'{name} must be a non-negative integer or None, got {value!r}.')
    return int(value)


def _real(name, value, requirement):
    if _is_bool(value) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f'{name} must be {requirement}, got {value!r}.')
    return float(value)


def positive_float(name, value):
    """``value`` as a finite float > 0."""
    value_ = _real(name, value, 'a positive number')
    if value_ <= 0:
        raise ValueError(f'{name} must be a positive number, got {value!r}.')
    return value_


def non_negative_float(name, value):
    """``value`` as a finite float >= 0."""
    value_ = _real(name, value, 'a non-negative number')
    if value_ < 0:
        raise ValueError(f'{name} must be a non-negative number, got {value!r}.')
    return value_


def open_fraction(name, value):
    """``value`` as a float strictly between 0 and 1."""
    value_ = _real(name, value, 'a number in (0, 1)')
    if not 0.0 < value_ < 1.0:
        raise ValueError(f'{name} must lie strictly between 0 and 1, got {value!r}: '
                         'both parts of a split must be able to hold interactions.')
    return value_


def flag(name, value):
    """``value`` as a bool (``True``/``False`` only)."""
    if not _is_bool(value):
        raise ValueError(f'{name} must be True or False, got {value!r}.')
    return bool(value)


def choice(name, value, options):
    """``value`` if it is one of ``options`` (strings)."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f'Unknown {name} {value!r}; choose one of {sorted(options)}.')
    return value


def random_state(value, name='random_state'):
    """
    A ``np.random.RandomState`` from ``value``.

    ``None`` gives a fresh, unseeded one; an int seeds a new one; a
    ``RandomState`` is used as it is (and advanced by its user).
    """
    if value is None:
        return np.random.RandomState()
    if isinstance(value, np.random.RandomState):
        return value
    if not _is_bool(value) and isinstance(value, numbers.Integral) and 0 <= value < 2 ** 32:
        return np.random.RandomState(int(value))
    raise ValueError(f'{name} must be None, an integer seed in [0, 2**32) or a '
                     f'np.random.RandomState, got {value!r}'
                     + (' (a np.random.Generator: pass np.random.RandomState(seed) instead).'
                        if isinstance(value, np.random.Generator) else '.'))
