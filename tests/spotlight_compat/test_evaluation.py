"""spotlight_compat.evaluation: rmse_score, reciprocal_ranks and sequence_mrr_score."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import StubModel
from spotlight_compat.evaluation import reciprocal_ranks, rmse_score, sequence_mrr_score
from spotlight_compat.interactions import Interactions, SequenceInteractions


def test_rmse_by_hand():
    test = Interactions([0, 1, 1], [1, 2, 3], ratings=[2.0, 4.0, 3.0])
    model = StubModel([[1.0, 2.0, 3.0]])  # errors 1, 2, 0
    assert rmse_score(model, test) == pytest.approx(np.sqrt(5 / 3))


@pytest.mark.parametrize('test,message', [
    (Interactions([0], [1]), 'rmse_score needs test interactions with ratings'),
    (Interactions([], [], ratings=[]), 'test is empty'),
    (SequenceInteractions([[1, 2]]), 'test must be an Interactions object, got SequenceInteractions'),
])
def test_rmse_bad_test(test, message):
    with pytest.raises(ValueError, match=message):
        rmse_score(StubModel([[1.0]]), test)


@pytest.mark.parametrize('scores,prefix,target,exclude_preceding,expected', [
    ([5, 1, 3, 2], [0], 2, False, 1 / 2),  # only item 0 scores higher
    ([5, 1, 3, 2], [0], 2, True, 1 / 1),  # item 0 is in the prefix: ranked last
    ([3, 3, 3, 1], [1], 2, False, 1 / 2),  # three tied at the top: average rank 2
    ([3, 3, 3, 1], [1], 2, True, 1 / 1.5),  # two tied at the top once item 1 is out
    ([1, 2, 0, 9], [3, 3], 3, True, 1 / 4),  # the target itself in the prefix: ranked last
    ([0, 0, 0, 0], [1], 1, False, 1 / 2.5),
])
def test_reciprocal_ranks_by_hand(scores, prefix, target, exclude_preceding, expected):
    ranks = reciprocal_ranks(np.array([scores], dtype=np.float32), np.array([prefix]),
                             np.array([target]), exclude_preceding)
    assert ranks.tolist() == [pytest.approx(expected)]


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 40), st.integers(2, 30), st.integers(0, 8), st.integers(1, 4),
       st.sampled_from([np.float32, np.float64]), st.integers(1, 50),
       st.integers(0, 2 ** 32 - 1))
def test_batched_mrr_equals_per_row_mrr(num_rows, num_items, length, levels, dtype, batch_size,
                                        seed):
    """The batched path equals spotlight's per-row path, ties and exclusions included."""
    rs = np.random.RandomState(seed)
    # Integer-valued scores from a few levels: many ties, some all-equal rows.
    scores = rs.randint(-levels, levels + 1, size=(num_rows, num_items)).astype(dtype)
    sequences = rs.randint(1, num_items, size=(num_rows, length + 1))
    padding = rs.randint(0, length + 1, size=num_rows)
    sequences[np.arange(length + 1) < padding[:, None]] = 0
    test = SequenceInteractions(sequences, num_items=num_items)
    prefixes = sequences[:, :-1]
    for exclude_preceding in (False, True):
        per_row = sequence_mrr_score(StubModel(scores, prefixes, batched=False), test,
                                     exclude_preceding=exclude_preceding)
        batched = sequence_mrr_score(StubModel(scores, prefixes), test,
                                     exclude_preceding=exclude_preceding, batch_size=batch_size)
        assert per_row.shape == batched.shape == (num_rows,)
        np.testing.assert_allclose(batched, per_row, rtol=0, atol=1e-12)


@pytest.mark.parametrize('batched', [False, True])
def test_mrr_of_no_sequences_is_empty(batched):
    test = Interactions([], [], timestamps=[], num_items=5).to_sequence(4)
    assert sequence_mrr_score(StubModel(np.zeros((0, 5)), batched=batched), test).shape == (0,)


@pytest.mark.parametrize('batched', [False, True])
def test_target_the_model_does_not_score(batched):
    test = SequenceInteractions([[1, 2, 3], [1, 2, 7]])
    with pytest.raises(ValueError, match=r"test.sequences contains the id 7, outside \[0, 4\) "
                                         r"given by the model's 4 scores"):
        sequence_mrr_score(StubModel(np.zeros((2, 4)), batched=batched), test)


@pytest.mark.parametrize('test,kwargs,message', [
    (Interactions([0], [1], timestamps=[0]), {},
     'test must be SequenceInteractions, got Interactions; call test.to_sequence'),
    (SequenceInteractions(np.zeros((2, 0), dtype=int)), {}, 'test sequences have length 0'),
    (SequenceInteractions([[1, 2]]), dict(batch_size=0), 'batch_size must be a positive integer, got 0'),
    (SequenceInteractions([[1, 2]]), dict(batch_size=2.5), 'batch_size must be a positive integer, got 2.5'),
    (SequenceInteractions([[1, 2]]), dict(exclude_preceding='yes'),
     "exclude_preceding must be True or False, got 'yes'"),
])
def test_sequence_mrr_bad_input(test, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sequence_mrr_score(StubModel(np.zeros((1, 3))), test, **kwargs)
