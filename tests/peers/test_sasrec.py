"""peers.models.sasrec: the lean SASRec reads no position after its own, learns a
deterministic successor with either loss, and keeps its best epoch."""

import numpy as np
import pytest
import torch

from peers.models.sasrec import SASRec, SASRecSetting, fit_sasrec, training_chunks
from recsys_models.protocol import CANNOT_RANK


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


def test_sasrec_ranks_the_padding_id_last():
    model = SASRec(12, SASRecSetting(hidden=8, n_blocks=1, n_heads=1, dropout=0.0, max_length=5))
    scores = model.score(np.array([[0, 0, 3, 4, 5]]))
    assert scores[0, 0] == CANNOT_RANK and (scores[0, 1:] > CANNOT_RANK).all()
