"""The tuned sequential peers' own code: the lean SASRec, the official GRU4Rec's adapter and
the search spaces (the searches themselves run in the peers' environment)."""

import types

import numpy as np
import pandas as pd
import pytest
import torch

import gru4rec_official
import peer_tuning
from sasrec import SASRec, SASRecSetting, fit_sasrec, training_chunks
from spotlight_compat.interactions import Interactions


def test_training_chunks_make_every_item_after_the_first_a_target_once():
    histories = [np.arange(1, 13), np.array([5, 6]), np.array([7])]
    chunks = training_chunks(histories, max_length=4)
    assert chunks.shape[1] == 5
    targets = chunks[:, 1:][chunks[:, :-1] != 0]  # the targets the loss reads
    expected = np.concatenate([h[1:] for h in histories])
    assert sorted(targets.tolist()) == sorted(expected.tolist())
    # a chunk's inputs are the items just before each target, in order
    assert chunks.tolist()[0] == [8, 9, 10, 11, 12]


def test_sasrec_position_t_reads_nothing_after_t():
    torch.manual_seed(0)
    model = SASRec(20, SASRecSetting(hidden=16, n_blocks=2, n_heads=2, dropout=0.0, max_length=6)).eval()
    a = torch.tensor([[0, 3, 4, 5, 6, 7]])
    b = torch.tensor([[0, 3, 4, 5, 9, 11]])
    with torch.no_grad():
        ha, hb = model.hidden_states(a), model.hidden_states(b)
    assert torch.allclose(ha[:, :4], hb[:, :4], atol=1e-6)
    assert not torch.allclose(ha[:, 4:], hb[:, 4:], atol=1e-3)


@pytest.mark.parametrize('loss', ['bce', 'ce'])
def test_sasrec_learns_a_deterministic_successor(loss):
    # item i is always followed by i + 1: the next item of a prefix must rank first
    num_items = 30
    histories = [np.arange(start, num_items) for start in range(1, 20)] * 4
    setting = SASRecSetting(hidden=32, n_blocks=1, n_heads=1, dropout=0.0, learning_rate=3e-3,
                            max_length=10, loss=loss, batch_size=16, n_epochs=40)
    model, scores = fit_sasrec(histories, num_items, setting, seed=0)
    assert scores == []
    prefixes = np.array([[0, 0, 0, 0, 0, 0, 0, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]])
    predicted = model.score(prefixes)
    assert predicted.shape == (2, num_items)
    assert predicted.argmax(1).tolist() == [6, 11]


def test_sasrec_keeps_the_best_epoch_and_stops_without_progress():
    histories = [np.arange(1, 12)] * 8
    setting = SASRecSetting(hidden=8, n_blocks=1, n_heads=1, dropout=0.0, max_length=10, n_epochs=50)
    calls = iter([0.1, 0.3, 0.2, 0.2, 0.1, 0.1] + [0.0] * 50)
    _, scores = fit_sasrec(histories, 12, setting, seed=0, validate=lambda model: next(calls),
                           patience=3)
    assert scores == [0.1, 0.3, 0.2, 0.2, 0.1]  # three epochs after the best, then stopped


class FakeTrial:
    """Draws the first value of each categorical and the low end of each range."""

    def __init__(self, first=None):
        self.first = first or {}

    def suggest_categorical(self, name, values):
        return self.first.get(name, values[0])

    def suggest_int(self, name, low, high, step=1):
        return low

    def suggest_float(self, name, low, high, step=None, log=False):
        return low


@pytest.mark.parametrize('loss, present, absent', [
    ('cross-entropy', set(), {'bpreg', 'elu_param'}),
    ('bpr-max', {'bpreg', 'elu_param'}, set())])
def test_gru4rec_space_draws_loss_specific_parameters_only_for_their_loss(loss, present, absent):
    drawn = peer_tuning.suggest(FakeTrial({'loss': loss}), peer_tuning.GRU4REC_SPACE)
    assert present <= set(drawn) and not absent & set(drawn)
    setting = peer_tuning.gru4rec_setting(drawn)
    assert setting['layers'] == [64] and setting['constrained_embedding'] is True
    assert setting['embedding'] == 0 and setting['sessions'] == 'history'


def test_described_spaces_name_every_parameter():
    for space in (peer_tuning.GRU4REC_SPACE, peer_tuning.SASREC_SPACE):
        text = peer_tuning.describe_space(space)
        assert all(name in text for name, *_ in space)


def test_chosen_setting_needs_a_search_first():
    with pytest.raises(LookupError, match='--tune sasrec-tuned'):
        peer_tuning.chosen_setting('sasrec-tuned', {})
    chosen = peer_tuning.chosen_setting('sasrec-tuned', {'sasrec-tuned': {'chosen': {
        'loss': 'ce', 'hidden': 32, 'n_blocks': 1, 'n_heads': 1, 'dropout': 0.1,
        'learning_rate': 0.001, 'max_length': 20, 'batch_size': 64, 'n_epochs': 7}}})
    assert SASRecSetting(**chosen).n_epochs == 7


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
    assert (scores[:, unknown] == gru4rec_official.LOWEST).all()
