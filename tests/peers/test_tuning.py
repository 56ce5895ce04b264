"""peers.tuning: the search spaces as data, drawn and described, and the chosen setting."""

import pytest

from peers import tuning
from peers.models.sasrec import SASRecSetting


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
    drawn = tuning.suggest(FakeTrial({'loss': loss}), tuning.GRU4REC_SPACE)
    assert present <= set(drawn) and not absent & set(drawn)
    setting = tuning.gru4rec_setting(drawn)
    assert setting['layers'] == [64] and setting['constrained_embedding'] is True
    assert setting['embedding'] == 0 and setting['sessions'] == 'history'


def test_described_spaces_name_every_parameter():
    for space in (tuning.GRU4REC_SPACE, tuning.SASREC_SPACE):
        text = tuning.describe_space(space)
        assert all(name in text for name, *_ in space)


def test_chosen_setting_needs_a_search_first():
    with pytest.raises(LookupError, match='--tune sasrec-tuned'):
        tuning.chosen_setting('sasrec-tuned', {})
    chosen = tuning.chosen_setting('sasrec-tuned', {'sasrec-tuned': {'chosen': {
        'loss': 'ce', 'hidden': 32, 'n_blocks': 1, 'n_heads': 1, 'dropout': 0.1,
        'learning_rate': 0.001, 'max_length': 20, 'batch_size': 64, 'n_epochs': 7}}})
    assert SASRecSetting(**chosen).n_epochs == 7
