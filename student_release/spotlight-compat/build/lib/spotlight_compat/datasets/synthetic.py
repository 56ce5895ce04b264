"""
Synthetic datasets with known structure, for testing models, as spotlight's
``datasets.synthetic``: the same arguments and the same draws from the same
``random_state``, so a seed gives the interactions spotlight gives.
"""

import numpy as np

from .. import _checks
from ..interactions import Interactions


def _build_transition_matrix(num_items, concentration_parameter, random_state, atol=0.001):
    """
    A (nearly) doubly stochastic ``num_items`` x ``num_items`` matrix: Dirichlet
    rows, then alternately normalised columns and rows (at most 100 rounds, until
    every sum is within ``atol`` of one).
    """
    matrix = random_state.dirichlet(np.repeat(concentration_parameter, num_items), num_items)
    for _ in range(100):
        if (np.all(np.abs(1.0 - matrix.sum(axis=0)) < atol)
                and np.all(np.abs(1.0 - matrix.sum(axis=1)) < atol)):
            break
        matrix /= matrix.sum(axis=0)
        matrix /= matrix.sum(1)[:, np.newaxis]
    return matrix


def _generate_sequences(num_steps, transition_matrix, order, random_state):
    """
    ``num_steps`` states of an ``order``-th order Markov chain whose next state
    follows the mean of the transition rows of the last ``order`` states.
    """
    num_states = transition_matrix.shape[0]
    cumulative = np.cumsum(transition_matrix, axis=1)
    draws = random_state.rand(num_steps)
    state = random_state.randint(num_states, size=order, dtype=np.int64)
    elements = np.empty(num_steps, dtype=np.int32)
    for step, draw in enumerate(draws):
        new_state = min(num_states - 1, np.searchsorted(cumulative[state].mean(axis=0), draw))
        state[:-1] = state[1:]
        state[-1] = new_state
        elements[step] = new_state
    return elements


def generate_sequential(num_users=100, num_items=1000, num_interactions=10000,
                        concentration_parameter=0.1, order=3, random_state=None):
    """
    Interactions where the order matters: item ids follow an ``order``-th order
    Markov chain with a doubly stochastic transition matrix (so a uniform
    stationary distribution) drawn from a symmetric Dirichlet.

    Parameters
    ----------
    num_users: int, optional
    num_items: int, optional
        Number of item ids; the chain has ``num_items - 1`` states, ids 1 onwards
        (0 is the padding id of sequences).
    num_interactions: int, optional
    concentration_parameter: float, optional
        Smaller values give more predictable sequences.
    order: int, optional
        Order of the Markov chain.
    random_state: np.random.RandomState or int, optional

    Returns
    -------
    Interactions
        Users sorted ascending, timestamps ``0 .. num_interactions - 1``, ratings of 1.

    Raises
    ------
    ValueError
        For non-positive sizes or concentration, fewer than two items, or an
        unusable random state.
    """
    num_users = _checks.positive_int('num_users', num_users)
    num_items = _checks.positive_int('num_items', num_items)
    if num_items < 2:
        raise ValueError(f'num_items must be at least 2 (id 0 is padding), got {num_items}.')
    num_interactions = _checks.positive_int('num_interactions', num_interactions)
    _checks.positive_float('concentration_parameter', concentration_parameter)
    order = _checks.positive_int('order', order)
    random_state = _checks.random_state(random_state)
    transition_matrix = _build_transition_matrix(num_items - 1, concentration_parameter,
                                                 random_state)
    user_ids = np.sort(random_state.randint(0, num_users, num_interactions, dtype=np.int32))
    item_ids = _generate_sequences(num_interactions, transition_matrix, order, random_state) + 1
    return Interactions(user_ids, item_ids,
                        ratings=np.ones(num_interactions, dtype=np.float32),
                        timestamps=np.arange(num_interactions, dtype=np.int32),
                        num_users=num_users, num_items=num_items)


def generate_content_based(num_users=100, num_items=100, num_interactions=10000,
                           num_user_features=10, num_item_features=10, num_context_features=10,
                           noise_stddev=0.1, random_state=None):
    """
    Interactions explained by features: each interaction's item is the best
    match, plus Gaussian noise, for a linear map of its user's and its context's
    features.

    This generator is not in spotlight 0.1.6: it comes from spotlight's unreleased
    hybrid-models branch (commit 4712138), whose draws it reproduces. That
    branch's ``Interactions`` carried the features; here they are attributes of
    the returned object (``user_features``, ``item_features``,
    ``context_features``).

    Parameters
    ----------
    num_users, num_items, num_interactions: int, optional
    num_user_features, num_item_features, num_context_features: int, optional
    noise_stddev: float, optional
        Standard deviation of the noise added to every (interaction, item) score.
    random_state: np.random.RandomState or int, optional

    Returns
    -------
    Interactions
        Timestamps ``0 .. num_interactions - 1``, no ratings, and the three
        feature matrices as attributes.

    Raises
    ------
    ValueError
        For non-positive sizes, a negative ``noise_stddev`` or an unusable random state.
    """
    for name, value in (('num_users', num_users), ('num_items', num_items),
                        ('num_interactions', num_interactions),
                        ('num_user_features', num_user_features),
                        ('num_item_features', num_item_features),
                        ('num_context_features', num_context_features)):
        _checks.positive_int(name, value)
    _checks.non_negative_float('noise_stddev', noise_stddev)
    random_state = _checks.random_state(random_state)
    user_features = random_state.randn(num_users, num_user_features)
    item_features = random_state.randn(num_items, num_item_features)
    context_features = random_state.randn(num_interactions, num_context_features)
    coefficients = random_state.randn(num_user_features + num_context_features, num_item_features)
    user_ids = random_state.randint(0, num_users, num_interactions)
    contexts = np.hstack([user_features[user_ids], context_features]) @ coefficients
    noise = random_state.randn(num_interactions, num_items) * noise_stddev
    best_items = np.argmax(contexts @ item_features.T + noise, axis=1)
    interactions = Interactions(user_ids, best_items, timestamps=np.arange(num_interactions),
                                num_users=num_users, num_items=num_items)
    interactions.user_features = user_features
    interactions.item_features = item_features
    interactions.context_features = context_features
    return interactions
