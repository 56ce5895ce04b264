"""
spotlight_compat: the subset of Maciej Kula's spotlight recommender library
that the recommender-systems homework uses, re-implemented with spotlight's
module names and behaviour (spotlight itself is not installable from PyPI).
"""

__version__ = '0.1.0'
