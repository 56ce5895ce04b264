"""peers.models.sequential_rules: the rules count what follows each item in time order, weighted
by distance; pruning keeps the strongest; the scorer sums the prefix's rules with its decay; the
tuned fit searches validation users only and recovers a deterministic successor."""

import numpy as np
import pytest

from peers.models import sequential_rules as sr
from recsys_models.protocol import CANNOT_RANK
from spotlight_compat.interactions import Interactions


def histories(*users, num_items=10):
    """Interactions from each user's items in time order (rows given newest first)."""
    user_ids = np.concatenate([[user] * len(items) for user, items in enumerate(users)])
    items = np.concatenate([list(reversed(items)) for items in users])
    times = np.concatenate([list(range(len(items), 0, -1)) for items in users])
    return Interactions(user_ids, items, timestamps=times, num_users=len(users), num_items=num_items)


def test_rules_count_followers_by_distance_in_time_order():
    rules = sr.sequential_rules(histories([1, 2, 3], [1, 2]), steps=2, weighting='div', pruning=0).toarray()
    assert rules[1, 2] == 2.0            # 1 -> 2 at distance 1, twice
    assert rules[2, 3] == 1.0
    assert rules[1, 3] == 0.5            # distance 2 weighs 1/2
    assert rules[2, 1] == rules[3, 1] == 0.0  # nothing runs backwards in time
    assert rules.sum() == 3.5


def test_steps_bound_the_distance():
    rules = sr.sequential_rules(histories([1, 2, 3, 4]), steps=1, weighting='same', pruning=0).toarray()
    assert rules[1, 2] == rules[2, 3] == rules[3, 4] == 1.0 and rules[1, 3] == rules[1, 4] == 0.0


@pytest.mark.parametrize('weighting, weights', [('same', [1, 1, 1]), ('linear', [0.9, 0.8, 0.7]),
                                                ('div', [1, 1 / 2, 1 / 3]), ('quadratic', [1, 1 / 4, 1 / 9])])
def test_each_weighting_follows_its_formula(weighting, weights):
    rules = sr.sequential_rules(histories([1, 2, 3, 4]), steps=3, weighting=weighting, pruning=0).toarray()
    np.testing.assert_allclose(rules[1, [2, 3, 4]], weights)


def test_pruning_keeps_the_strongest_rules_of_each_item():
    rules = sr.sequential_rules(histories([1, 2], [1, 2], [1, 3], [1, 3], [1, 3], [1, 4]), steps=1,
                                weighting='same', pruning=2).toarray()
    assert rules[1].tolist()[2:5] == [2.0, 3.0, 0.0]  # 1 -> 4 (once) pruned, the two strongest kept


def test_no_history_long_enough_gives_no_rules():
    assert sr.sequential_rules(histories([1], [2]), steps=2, weighting='same', pruning=0).nnz == 0


def test_scorer_sums_the_prefix_rules_with_its_decay_and_ranks_padding_last():
    rules = sr.sequential_rules(histories([1, 2], [3, 4]), steps=1, weighting='same', pruning=0)
    prefixes = np.array([[0, 3, 1], [0, 1, 3]])
    last = sr.rules_scorer(rules, 'last').predict_sequences(prefixes)
    assert last[0, 2] == 1.0 and last[0, 4] == 0.0    # only the latest item (1) votes
    assert last[1, 4] == 1.0 and last[1, 2] == 0.0
    assert (last[:, 0] == CANNOT_RANK).all()
    decayed = sr.rules_scorer(rules, 'div').predict_sequences(prefixes)
    assert decayed[0, 2] == 1.0 and decayed[0, 4] == 0.5  # the second latest weighs 1/2
    np.testing.assert_array_equal(sr.rules_scorer(rules, 'div').predict(prefixes[0]), decayed[0])


def test_tuned_fit_finds_a_deterministic_successor_and_records_its_search():
    # every user walks 1, 2, ..., 29 from a start of their own: item i is always followed by i + 1
    users = [list(range(start, 30)) for start in range(1, 25)] * 3
    train = histories(*users, num_items=30)
    scorer, seconds, extra = sr.fit_sequential_rules(train, seed=0)
    assert seconds >= 0 and extra['search_s'] >= 0
    assert set(extra['chosen']) == {'steps', 'weighting', 'pruning', 'prefix_decay'}
    assert extra['validation_mrr'] == pytest.approx(1.0)
    scores = scorer.predict_sequences(np.array([[0, 0, 5, 6, 7], [10, 11, 12, 13, 14]]))
    assert scores.argmax(1).tolist() == [8, 15]
