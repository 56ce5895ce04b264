"""
The checks of ``spotlight_compat`` against the original spotlight, run from a spotlight
checkout: ``suite`` (spotlight's own test suite and statistical settings, through an import
alias), ``examples`` (spotlight's example scripts and README blocks) and ``timing`` (both
libraries timed on the same work). Results in ``results/spotlight_conformance.md`` and
``results/against_spotlight.md``.
"""
