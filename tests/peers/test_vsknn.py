"""peers.models.vsknn: V-SKNN's scores equal the formula of its docstring, computed here
session by session; the padding id ranks last; a prefix that matches one session recommends it."""

import numpy as np

from peers.models.vsknn import fit_vsknn
from recsys_models.protocol import CANNOT_RANK, WINDOW
from spotlight_compat.interactions import Interactions


def interactions(rng, num_users=12, num_items=15, per_user=14):
    users = np.repeat(np.arange(num_users), per_user)
    items = np.concatenate([rng.choice(np.arange(1, num_items), per_user, replace=False) for _ in range(num_users)])
    times = np.tile(np.arange(per_user), num_users)
    return Interactions(users, items, timestamps=times, num_users=num_users, num_items=num_items)


def reference_scores(sessions, prefix, num_items, k):
    """The docstring's V-SKNN for one prefix, written out loop by loop."""
    items = [item for item in prefix if item > 0]
    length = len(items)
    weight = {item: (position + 1) / length for position, item in enumerate(items)}  # latest weighs 1
    members = [set(row[row > 0].tolist()) for row in sessions]
    similarity = np.array([sum(w for item, w in weight.items() if item in member) / length
                           for member in members])
    nearest = np.argsort(-similarity, kind='stable')[:k]
    scores = np.zeros(num_items)
    for s in nearest:
        shared = [back for back, item in enumerate(reversed(items), start=1) if item in members[s]]
        decay = 1.0 / min(shared) if shared else 0.0
        for item in members[s]:
            scores[item] += similarity[s] * decay
    return scores


def test_scores_are_the_formula_of_the_docstring():
    rng = np.random.RandomState(0)
    train = interactions(rng)
    sessions = train.to_sequence(max_sequence_length=WINDOW).sequences
    prefixes = np.array([[0, 0, 0, 0, 0, 3, 7, 2, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 0, 0, 0, 0, 0, 0, 0, 4]])
    scorer, _, extra = fit_vsknn(train, seed=0, neighbours=len(sessions))  # every session: no ties to break
    scores = scorer.predict_sequences(prefixes)
    assert extra == {}
    for row, prefix in enumerate(prefixes):
        expected = reference_scores(sessions, prefix, train.num_items, len(sessions))
        np.testing.assert_allclose(scores[row, 1:], expected[1:], rtol=1e-12, atol=1e-12)
    assert (scores[:, 0] == CANNOT_RANK).all()


def test_the_nearest_sessions_alone_vote():
    # two sessions share the prefix's items, one does not: with k = 2 the third adds nothing
    users = np.array([0] * 4 + [1] * 4 + [2] * 4)
    items = np.array([1, 2, 3, 4, 1, 2, 5, 6, 7, 8, 9, 10])
    train = Interactions(users, items, timestamps=np.tile(np.arange(4), 3), num_users=3, num_items=11)
    scorer, _, _ = fit_vsknn(train, seed=0, neighbours=2)
    scores = scorer.predict(np.array([0, 0, 1, 2]))
    assert scores[[3, 4, 5, 6]].min() > 0 and scores[[7, 8, 9, 10]].max() == 0
    assert scores[1] == scores[2] > scores[3]  # shared by both neighbours
