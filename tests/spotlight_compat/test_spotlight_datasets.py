"""
datasets.synthetic reproduces spotlight's draws (reference fingerprints computed
with spotlight 0.1.6 in tests/fixtures/spotlight/); datasets.goodbooks and
datasets.amazon fetch spotlight's HDF5 files through the cache, here from the fake
server of conftest.py (the ``grouplens`` fixture, which serves any file it is given).
"""


import numpy as np
import pytest

from tests.helpers import fingerprint
from spotlight_compat.datasets import amazon, goodbooks, synthetic
from spotlight_compat.datasets.cache import DatasetUnavailableError
from tests.helpers import spotlight_reference

REFERENCE = spotlight_reference()['generate_sequential']


@pytest.mark.parametrize('seed', sorted(REFERENCE))
def test_generate_sequential_draws_what_spotlight_draws(seed):
    expected = REFERENCE[seed]
    data = synthetic.generate_sequential(random_state=np.random.RandomState(int(seed)),
                                         **expected['kwargs'])
    assert (data.num_users, data.num_items) == (expected['num_users'], expected['num_items'])
    for field, dtype in (('user_ids', '<i4'), ('item_ids', '<i4'), ('ratings', '<f4'),
                         ('timestamps', '<i4')):
        assert fingerprint(getattr(data, field), dtype) == expected[field], field


def test_generate_sequential_follows_its_chain():
    predictable = synthetic.generate_sequential(num_items=20, num_interactions=2000, order=1,
                                                concentration_parameter=1e-4, random_state=0)
    assert predictable.item_ids.min() >= 1 and np.all(np.diff(predictable.user_ids) >= 0)
    pairs = set(zip(predictable.item_ids[:-1].tolist(), predictable.item_ids[1:].tolist()))
    assert len(pairs) < 40  # nearly deterministic transitions: about one successor per item
    matrix = synthetic._build_transition_matrix(15, 1.0, np.random.RandomState(0))
    np.testing.assert_allclose(matrix.sum(0), 1, atol=1e-3)
    np.testing.assert_allclose(matrix.sum(1), 1, atol=1e-3)


def test_generate_content_based_picks_the_best_item():
    data = synthetic.generate_content_based(num_users=8, num_items=12, num_interactions=50,
                                            noise_stddev=0.0, random_state=3)
    contexts = np.hstack([data.user_features[data.user_ids], data.context_features])
    state = np.random.RandomState(3)
    for shape in ((8, 10), (12, 10), (50, 10)):
        state.randn(*shape)
    coefficients = state.randn(20, 10)
    best = np.argmax(contexts @ coefficients @ data.item_features.T, axis=1)
    np.testing.assert_array_equal(data.item_ids, best)
    again = synthetic.generate_content_based(num_users=8, num_items=12, num_interactions=50,
                                             noise_stddev=0.0, random_state=3)
    np.testing.assert_array_equal(again.user_ids, data.user_ids)


@pytest.mark.parametrize('call,message', [
    (lambda: synthetic.generate_sequential(num_items=1), 'num_items must be at least 2'),
    (lambda: synthetic.generate_sequential(concentration_parameter=0),
     'concentration_parameter must be a positive number'),
    (lambda: synthetic.generate_sequential(order=0), 'order must be a positive integer'),
    (lambda: synthetic.generate_content_based(noise_stddev=-1),
     'noise_stddev must be a non-negative number'),
])
def test_generators_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _hdf5_bytes(tmp_path, columns):
    h5py = pytest.importorskip('h5py')
    path = tmp_path / 'source.hdf5'
    with h5py.File(path, 'w') as handle:
        for name, values in columns.items():
            handle[name] = values
    return path.read_bytes()


def test_goodbooks_through_the_cache(tmp_path, grouplens, monkeypatch):
    ratings = np.array([[1, 10, 5], [2, 10, 3], [1, 7, 4]], dtype=np.int64)
    grouplens.files['goodbooks-10k.hdf5'] = _hdf5_bytes(tmp_path, {'ratings': ratings})
    monkeypatch.setattr(goodbooks, 'URL', grouplens.url.format(archive='goodbooks-10k.hdf5'))
    data = goodbooks.get_goodbooks_dataset(data_home=tmp_path / 'cache')
    np.testing.assert_array_equal(data.user_ids, [1, 2, 1])
    np.testing.assert_array_equal(data.ratings, [5, 3, 4])
    np.testing.assert_array_equal(data.timestamps, [0, 1, 2])
    assert (tmp_path / 'cache' / 'goodbooks' / 'goodbooks.hdf5.sha256').exists()
    grouplens.server_close()  # offline: the verified cache is enough
    assert len(goodbooks.get_goodbooks_dataset(data_home=tmp_path / 'cache')) == 3


def test_damaged_cached_file_is_fetched_again(tmp_path, grouplens, monkeypatch, capsys):
    grouplens.files['goodbooks-10k.hdf5'] = _hdf5_bytes(tmp_path, {'ratings': np.ones((2, 3))})
    monkeypatch.setattr(goodbooks, 'URL', grouplens.url.format(archive='goodbooks-10k.hdf5'))
    goodbooks.get_goodbooks_dataset(data_home=tmp_path)
    (tmp_path / 'goodbooks' / 'goodbooks.hdf5').write_bytes(b'damaged')
    assert len(goodbooks.get_goodbooks_dataset(data_home=tmp_path)) == 2
    assert 'failed its sha256 check' in capsys.readouterr().out
    assert grouplens.requests.count('/goodbooks-10k.hdf5') == 2


def test_unreachable_source_says_what_to_do(tmp_path, grouplens, monkeypatch):
    monkeypatch.setattr(goodbooks, 'URL', grouplens.url.format(archive='missing.hdf5'))
    with pytest.raises(DatasetUnavailableError, match='download it and place it at'):
        goodbooks.get_goodbooks_dataset(data_home=tmp_path)


def test_file_placed_by_hand_is_used_offline_and_recorded(tmp_path):
    content = _hdf5_bytes(tmp_path, {'ratings': np.full((4, 3), 2)})
    (tmp_path / 'goodbooks').mkdir()
    (tmp_path / 'goodbooks' / 'goodbooks.hdf5').write_bytes(content)
    data = goodbooks.get_goodbooks_dataset(data_home=tmp_path)  # no server: offline
    assert len(data) == 4 and data.ratings.tolist() == [2.0] * 4
    assert (tmp_path / 'goodbooks' / 'goodbooks.hdf5.sha256').read_text() == _sha256(content)


def _sha256(content):
    import hashlib
    return hashlib.sha256(content).hexdigest()


def test_amazon_filters_and_renumbers(tmp_path, grouplens, monkeypatch):
    users = np.array([50, 50, 50, 9, 9, 3, 50, 9], dtype=np.int64)
    items = np.array([700, 800, 900, 700, 800, 700, 700, 900], dtype=np.int64)
    columns = {'/user_id': users, '/item_id': items, '/rating': np.arange(8, dtype=np.float32),
               '/timestamp': np.arange(8) + 100, '/features_item_id': np.zeros(1),
               '/features_feature_id': np.zeros(1)}
    grouplens.files['amazon_co_purchasing.hdf5'] = _hdf5_bytes(tmp_path, columns)
    monkeypatch.setattr(amazon, 'URL', grouplens.url.format(archive='amazon_co_purchasing.hdf5'))
    data = amazon.get_amazon_dataset(min_user_interactions=2, min_item_interactions=3,
                                     data_home=tmp_path)
    # users 9 and 50 kept (-> 1, 2), user 3 dropped; items 700 (4 times) kept (-> 1) only
    np.testing.assert_array_equal(data.user_ids, [2, 1, 2])
    np.testing.assert_array_equal(data.item_ids, [1, 1, 1])
    np.testing.assert_array_equal(data.timestamps, [100, 103, 106])
    assert (data.num_users, data.num_items) == (3, 2)
    with pytest.raises(ValueError, match='min_user_interactions must be a non-negative integer'):
        amazon.get_amazon_dataset(min_user_interactions=-1)
