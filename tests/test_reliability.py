"""
Reliability: bad user data and bad model inputs, and the determinism of seeded
training. (The dataset cache under faults is tested in test_datasets.py.)
"""

import numpy as np
import pandas as pd
import pytest

from spotlight_compat.evaluation import sequence_mrr_score
from spotlight_compat.id_mapping import interactions_from_keys
from spotlight_compat.interactions import Interactions


# --- User data ------------------------------------------------------------------------------

FRAME = pd.DataFrame({'user': [1, 2, 2, 5], 'item': [3, 1, 4, 1],
                      'rating': [4.0, 3.5, 5.0, 1.0], 'timestamp': [10, 30, 20, 5]})


def test_interactions_from_pandas_columns_and_lists_agree():
    from_pandas = Interactions(FRAME['user'], FRAME['item'], ratings=FRAME['rating'],
                               timestamps=FRAME['timestamp'])
    from_lists = Interactions(*(FRAME[column].tolist() for column in FRAME.columns))
    for data in (from_pandas, from_lists):
        assert (data.num_users, data.num_items, len(data)) == (6, 5, 4)
        assert data.user_ids.dtype == data.item_ids.dtype == data.timestamps.dtype == np.int32
        assert data.ratings.dtype == np.float32
        assert data.to_sequence(2).sequences.tolist() == [[0, 3], [4, 1], [0, 1]]


def test_millisecond_timestamps_keep_their_order():
    """Epoch milliseconds do not fit in int32; they must not wrap around."""
    stamps = np.array([1_600_000_000_000, 1_700_000_000_000, 1_650_000_000_000])
    data = Interactions([1, 1, 1], [1, 2, 3], timestamps=stamps)
    np.testing.assert_array_equal(data.timestamps, stamps)
    assert data.to_sequence(3).sequences.tolist() == [[1, 3, 2]]


BAD_COLUMNS = [
    ('user_ids', dict(user_ids=['a', 'b'])),
    ('user_ids', dict(user_ids=pd.Series(['1', '2']))),
    ('item_ids', dict(item_ids=pd.Series(['x', 'y'], dtype='string'))),
    ('ratings', dict(ratings=['good', 'bad'])),
    ('timestamps', dict(timestamps=['2020-01-01', '2020-01-02'])),
    ('timestamps', dict(timestamps=pd.to_datetime(['2020-01-01', '2020-01-02']))),
    ('weights', dict(weights=['1', '2'])),
    ('user_ids', dict(user_ids=pd.Series([1.0, np.nan]))),
    ('user_ids', dict(user_ids=pd.array([1, None], dtype='Int64'))),
    ('item_ids', dict(item_ids=[1.0, np.inf])),
    ('item_ids', dict(item_ids=[1.5, 2.0])),
    ('ratings', dict(ratings=pd.Series([np.nan, 4.0]))),
    ('timestamps', dict(timestamps=[np.nan, 3.0])),
    ('weights', dict(weights=[1.0, np.nan])),
    ('user_ids', dict(user_ids=[-1, 2])),
    ('item_ids', dict(item_ids=pd.Series([3, -7]))),
    ('user_ids', dict(user_ids=[0, 2 ** 31])),
    ('num_users', dict(user_ids=[0, 5], num_users=5)),
    ('num_items', dict(item_ids=[1, 9], num_items=3)),
    ('ratings', dict(ratings=[1.0])),
    ('user_ids', dict(user_ids=[[1, 2]])),
]


@pytest.mark.parametrize('column,override', BAD_COLUMNS,
                         ids=[f'{column}-{i}' for i, (column, _) in enumerate(BAD_COLUMNS)])
def test_bad_column_raises_value_error_naming_it(column, override):
    arguments = dict(user_ids=[1, 2], item_ids=[1, 2])
    arguments.update(override)
    with pytest.raises(ValueError, match=column):
        Interactions(**arguments)


@pytest.mark.parametrize('column,user_keys,item_keys', [
    ('user_keys', pd.Series(['u1', None, 'u2']), ['a', 'b', 'c']),
    ('user_keys', pd.Series(['u1', pd.NA, 'u2'], dtype='string'), ['a', 'b', 'c']),
    ('item_keys', ['u1', 'u2', 'u3'], pd.Series(['a', np.nan, 'c'], dtype=object)),
    ('item_keys', ['u1', 'u2', 'u3'], [1.0, np.nan, 3.0]),
    ('user_keys', [], []),
])
def test_missing_or_empty_keys_raise_value_error_naming_them(column, user_keys, item_keys):
    with pytest.raises(ValueError, match=column):
        interactions_from_keys(user_keys, item_keys)


def test_empty_interactions_are_accepted_and_give_empty_sequences():
    empty_frame = FRAME[FRAME['user'] > 100]
    for data in (Interactions([], [], timestamps=[]),
                 Interactions(empty_frame['user'], empty_frame['item'],
                              timestamps=empty_frame['timestamp'], num_users=6, num_items=5)):
        assert len(data) == 0
        for kwargs in (dict(), dict(min_sequence_length=2), dict(step_size=1)):
            sequences = data.to_sequence(4, **kwargs)
            assert sequences.sequences.shape == (0, 4) and len(sequences.user_ids) == 0
            assert sequences.num_items == data.num_items
        assert sequence_mrr_score(FixedScores(data.num_items), data.to_sequence(4)).shape == (0,)


class FixedScores:
    def __init__(self, num_items):
        self.num_items = num_items

    def predict(self, sequence):
        return np.arange(self.num_items, dtype=np.float32)


# --- Model inputs and determinism -----------------------------------------------------------

def ratings_data():
    rs = np.random.RandomState(0)
    return Interactions(rs.randint(0, 10, 200), rs.randint(0, 12, 200),
                        ratings=rs.randint(1, 6, 200).astype(np.float32),
                        timestamps=rs.randint(0, 40, 200), num_users=10, num_items=12)


def cycle_sequences():
    users = np.repeat(np.arange(12), 10)
    steps = np.tile(np.arange(10), 12)
    return Interactions(users, (users + steps) % 9 + 1, timestamps=steps).to_sequence(5)


def fit_explicit(seed):
    from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
    model = ExplicitFactorizationModel(n_iter=3, batch_size=32, device='cpu',
                                       random_state=np.random.RandomState(seed))
    losses = model.fit(ratings_data())
    return model, losses


def fit_sequence(seed, representation='pooling', loss='pointwise'):
    from spotlight_compat.sequence.implicit import ImplicitSequenceModel
    model = ImplicitSequenceModel(n_iter=3, batch_size=16, representation=representation,
                                  loss=loss, embedding_dim=8, device='cpu',
                                  random_state=np.random.RandomState(seed))
    losses = model.fit(cycle_sequences())
    return model, losses


@pytest.mark.parametrize('user_ids,item_ids,message', [
    (10, [1], 'user_ids contains 10'),
    (-1, [1], 'user_ids contains -1'),
    (3, [12], 'item_ids contains 12'),
    (3, [0, -2], 'item_ids contains -2'),
    ([1, 2], [1, 2, 3], 'broadcast'),
    (1.5, [1], 'user_ids'),
    (3, ['a'], 'item_ids'),
])
def test_explicit_model_rejects_bad_ids(user_ids, item_ids, message):
    model, _ = fit_explicit(0)
    with pytest.raises(ValueError, match=message):
        model.predict(user_ids, item_ids)


@pytest.mark.parametrize('representation', ['pooling', 'lstm'])
def test_sequence_model_scores_edge_sequences(representation):
    model, _ = fit_sequence(0, representation)
    num_items = cycle_sequences().num_items
    edge_cases = {'empty': np.array([], dtype=np.int64), 'empty list': [],
                  'all padding': [0, 0, 0, 0],
                  'longer than training rows': np.arange(1, 10).repeat(3)}
    for name, sequence in edge_cases.items():
        scores = model.predict(sequence)
        assert scores.shape == (num_items,) and np.all(np.isfinite(scores)), name
    np.testing.assert_allclose(model.predict([0, 0, 3, 4]),
                               model.predict_sequences([[0, 0, 3, 4]])[0])
    with pytest.raises(ValueError, match='must be 2-D'):
        model.predict_sequences([1, 2, 3])


BAD_SEQUENCES = [([10], 'outside'), ([-1], 'outside'), ([1, 2, 2 ** 40], 'outside'),
                 ([1.5], 'non-integer'), ([np.nan], 'non-integer'), (['a'], 'dtype'),
                 ([[1, 2], [3, 4]], 'one 1-D sequence')]


@pytest.mark.parametrize('sequence,message', BAD_SEQUENCES)
def test_sequence_model_rejects_bad_sequences(sequence, message):
    model, _ = fit_sequence(0)
    assert model._num_items == 10
    with pytest.raises(ValueError, match=message):
        model.predict(sequence)
    if np.ndim(sequence) == 1:
        with pytest.raises(ValueError, match=message):
            model.predict_sequences([sequence])
    with pytest.raises(ValueError):
        model.predict_sequences(np.ravel(sequence))


def test_explicit_training_is_deterministic():
    (first, first_losses), (second, second_losses) = fit_explicit(7), fit_explicit(7)
    assert first_losses == second_losses
    users, items = np.arange(10).repeat(12), np.tile(np.arange(12), 10)
    np.testing.assert_array_equal(first.predict(users, items), second.predict(users, items))
    assert not np.array_equal(first.predict(0), fit_explicit(8)[0].predict(0))


@pytest.mark.parametrize('representation,loss', [('pooling', 'pointwise'), ('lstm', 'bpr'),
                                                 ('pooling', 'adaptive_hinge')])
def test_sequence_training_is_deterministic(representation, loss):
    (first, first_losses), (second, second_losses) = (fit_sequence(7, representation, loss),
                                                      fit_sequence(7, representation, loss))
    assert first_losses == second_losses
    prefixes = cycle_sequences().sequences[:, :-1]
    np.testing.assert_array_equal(first.predict_sequences(prefixes),
                                  second.predict_sequences(prefixes))
    other = fit_sequence(8, representation, loss)[0]
    assert not np.array_equal(first.predict([1, 2]), other.predict([1, 2]))
