"""
spotlight_compat: Maciej Kula's spotlight recommender library (every public
module of v0.1.6), re-implemented with spotlight's module names, signatures and
behaviour (spotlight itself is not installable from PyPI).
"""

__version__ = '0.1.0'

from .id_mapping import IdMapping, interactions_from_keys  # noqa: E402
from .interactions import Interactions, SequenceInteractions  # noqa: E402

__all__ = ['IdMapping', 'Interactions', 'SequenceInteractions', 'interactions_from_keys']
