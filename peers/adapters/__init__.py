"""
The peers from other libraries, each behind the interface of ``peers.registry``: the library
is imported inside the fit function, so that the rest of the project runs without it.
"""
