"""peers.adapters.gru4rec_official: the sessions it trains on, the scorer of the official
model (fed real items only, unknown items ranked last), and NumPy's global state left as it was."""

import types

import numpy as np
import pandas as pd
import pytest
import torch

from peers.adapters import gru4rec_official
from recsys_models.protocol import CANNOT_RANK
from spotlight_compat.interactions import Interactions


def test_gru4rec_load_says_what_to_fetch(tmp_path):
    with pytest.raises(FileNotFoundError, match='GRU4Rec_PyTorch_Official'):
        gru4rec_official.load(tmp_path)


def small_interactions():
    # user 1: items 1..12 (given out of time order); user 2: item 5 only; user 3: 3 then 4
    users = np.array([1] * 12 + [2, 3, 3])
    items = np.array(list(range(12, 0, -1)) + [5, 4, 3])
    times = np.array(list(range(12, 0, -1)) + [0, 9, 8])
    return Interactions(users, items, timestamps=times, num_users=4, num_items=13)


def test_sessions_are_histories_or_windows_in_time_order():
    history = gru4rec_official.sessions_frame(small_interactions(), 'history')
    assert history.groupby('SessionId').ItemId.apply(list).tolist() == [list(range(1, 13)), [3, 4]]
    windows = gru4rec_official.sessions_frame(small_interactions(), 'windows')
    assert windows.groupby('SessionId').ItemId.apply(list).tolist() == [
        list(range(3, 13)), [1, 2], [3, 4]]  # the test's windows: cut from the history's end
    with pytest.raises(ValueError, match="'history' or 'windows'"):
        gru4rec_official.sessions_frame(small_interactions(), 'users')


class CountingModel:
    """A stand-in for GRU4RecModel: the state counts the items fed, scores = count x index."""

    def forward(self, X, H, Y, training=False):
        H[0] = H[0] + 1
        return H[0][:, :1] * torch.arange(3, dtype=torch.float32)


def test_scorer_feeds_real_items_only_and_ranks_unknown_items_last():
    fake = types.SimpleNamespace(
        layers=[2], model=CountingModel(),
        data_iterator=types.SimpleNamespace(itemidmap=pd.Series([0, 1, 2], index=[4, 2, 7])))
    scores = gru4rec_official.scorer(fake, num_items=8)(np.array([[0, 4, 2], [0, 0, 7], [0, 5, 7]]))
    # internal index i scores count * i; our items 4, 2, 7 are internal 0, 1, 2
    assert scores[0, [4, 2, 7]].tolist() == [0.0, 2.0, 4.0]
    assert scores[1, [4, 2, 7]].tolist() == [0.0, 1.0, 2.0]
    assert scores[2, [4, 2, 7]].tolist() == [0.0, 1.0, 2.0]  # item 5 is unknown: not fed
    unknown = [0, 1, 3, 5, 6]
    assert (scores[:, unknown] == CANNOT_RANK).all()


def test_numpy_global_seed_is_put_back_after_the_block():
    np.random.seed(123)
    expected = np.random.random_sample()
    np.random.seed(123)
    with gru4rec_official.numpy_global_seed(7):
        inside = np.random.random_sample()
    assert np.random.random_sample() == expected  # the outer stream goes on untouched
    np.random.seed(7)
    assert inside == np.random.random_sample()
