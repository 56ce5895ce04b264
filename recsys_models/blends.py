"""Blends: a weighted sum of models' predictions, with weights chosen on validation data."""

import numpy as np

AUTOREC_WEIGHT = 0.15  # I-AutoRec's share of the Macau + I-AutoRec blend
# Of the next-item blend's parts. The notebook's blend is GRU + EASE + ridge; the nearest
# contexts' weight is the one benchmarks/search_blend.py found for a fourth part.
BLEND_WEIGHTS = dict(ease=64.0, ridge=120.0, neighbours=0.5)


class RatingBlend:
    """
    ``(1 - weight)`` times one model's predicted stars plus ``weight`` times another's.

    Parameters
    ----------
    first, second: objects with ``predict(user_ids, item_ids)``
    weight: float
        The second model's share, in [0, 1].
    """

    def __init__(self, first, second, weight):
        if not 0 <= weight <= 1:
            raise ValueError(f'weight is the second model\'s share and must lie in [0, 1], got {weight!r}.')
        self.first, self.second, self.weight = first, second, weight

    def predict(self, user_ids, item_ids):
        """The blended stars for the (user, item) pairs."""
        return ((1 - self.weight) * self.first.predict(user_ids, item_ids)
                + self.weight * self.second.predict(user_ids, item_ids))


class NextItemBlend:
    """
    log-softmax of a next-item network's scores plus weighted scores of other models.

    Parameters
    ----------
    network: NextItemModel
        Gives ``log_probabilities(prefixes)``.
    weighted_models: list of (model, float)
        Models with ``predict_sequences(prefixes)`` and their weights.
    """

    def __init__(self, network, weighted_models):
        self.network, self.weighted_models = network, list(weighted_models)

    def predict_sequences(self, prefixes):
        """(n, L) prefixes -> (n, num_items) blended scores."""
        prefixes = np.asarray(prefixes)
        scores = self.network.log_probabilities(prefixes)
        for model, weight in self.weighted_models:
            scores = scores + weight * model.predict_sequences(prefixes)
        return scores

    def predict(self, sequence):
        """spotlight's interface: one sequence -> the scores of every item."""
        return self.predict_sequences(np.atleast_2d(sequence))[0]
