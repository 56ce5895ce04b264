"""cornac's matrix factorisation, with the setting of cornac's README example."""

import time

import numpy as np


def fit_cornac_mf(train, seed):
    """
    cornac MF (k=10, max_iter=25, learning_rate=0.01, lambda_reg=0.02, use_bias=True).

    Returns
    -------
    (callable, float, dict)
        ``predict(users, items)`` (the training mean for a user or item cornac never saw), the
        fit's seconds, no extra record.
    """
    import cornac
    triplets = list(zip(train.user_ids.astype(str).tolist(), train.item_ids.astype(str).tolist(),
                        train.ratings.astype(float).tolist()))
    data = cornac.data.Dataset.from_uir(triplets, seed=seed)
    model = cornac.models.MF(k=10, max_iter=25, learning_rate=0.01, lambda_reg=0.02,
                             use_bias=True, seed=seed, verbose=False)
    start = time.perf_counter()
    model.fit(data)
    seconds = time.perf_counter() - start

    def predict(users, items):
        out = np.full(len(users), data.global_mean)
        for row, (u, i) in enumerate(zip(users.astype(str).tolist(), items.astype(str).tolist())):
            if u in data.uid_map and i in data.iid_map:
                out[row] = model.score(data.uid_map[u], data.iid_map[i])
        return out
    return predict, seconds, {}
