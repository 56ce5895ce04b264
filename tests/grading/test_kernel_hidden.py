"""
The exports the hidden tests call in the student's kernel (grading.kernel.hidden): written
only when grading, with a message saying what is wrong with the model otherwise.
"""

import json

import numpy as np
import pytest
import torch

from grading.kernel import hidden


def test_the_hidden_tests_write_only_when_grading(tmp_path, monkeypatch):
    model = torch.nn.Linear(2, 1)
    rows = torch.LongTensor([[1, 2], [3, 4], [5, 6]])
    flat = lambda x: model(x.float()).squeeze(1)  # noqa: E731
    monkeypatch.delenv(hidden.EXPORT_VARIABLE, raising=False)
    hidden.export_ratings(flat, rows)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv(hidden.EXPORT_VARIABLE, str(tmp_path / 'exports'))
    hidden.export_ratings(flat, rows)
    hidden.export_training_curves([{'train': torch.tensor(1.5), 'test': 1.6}])
    with np.load(tmp_path / 'exports' / hidden.RATINGS_FILE) as saved:
        np.testing.assert_array_equal(saved['pairs'], rows.numpy())
        assert saved['predictions'].shape == (3,)
    assert json.loads((tmp_path / 'exports' / hidden.CURVES_FILE).read_text()) == [{'train': 1.5, 'test': 1.6}]


def test_the_hidden_tests_say_what_is_wrong_with_the_model():
    rows = torch.LongTensor([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match='got NoneType'):
        hidden.export_ratings(lambda x: None, rows)
    with pytest.raises(ValueError, match=r'one rating per row: shape \(2,\), got \(2, 1\)'):
        hidden.export_ratings(lambda x: torch.zeros(2, 1), rows)
    with pytest.raises(ValueError, match="{'train': rmse, 'test': rmse}"):
        hidden.export_training_curves([(1.0, 2.0)])

    class Sequences:
        sequences, num_items = np.ones((3, 4), dtype=int), 6

    class Scorer:
        def predict(self, sequence):
            return ['high'] * 6

    with pytest.raises(ValueError, match='must return numbers'):
        hidden.export_next_item_scores(Scorer(), Sequences())
    for wrong, shape in ((np.zeros(5), r'\(3, 5\)'), (None, r'\(3,\)')):
        Scorer.predict = lambda self, sequence: wrong
        with pytest.raises(ValueError, match=rf'shape \(3, 6\), got {shape}'):
            hidden.export_next_item_scores(Scorer(), Sequences())
