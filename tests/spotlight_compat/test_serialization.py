"""
Saving and loading models (spotlight_compat._serialization registers them with torch),
against our own expectations: models saved whole with ``torch.save(model, path)`` load
with ``torch.load(path)`` under torch's default ``weights_only=True``, with the same
predictions, and training resumes exactly where it stopped (random state and optimizer
state restored); content that is not registered is still refused.
"""

import numpy as np
import pytest
import torch

from spotlight_compat.datasets.synthetic import generate_sequential
from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
from spotlight_compat.factorization.implicit import ImplicitFactorizationModel
from spotlight_compat.factorization.representations import BilinearNet
from spotlight_compat.layers import BloomEmbedding
from spotlight_compat.sequence.implicit import ImplicitSequenceModel
from spotlight_compat.sequence.representations import CNNNet

DATA = generate_sequential(num_users=20, num_items=15, num_interactions=400, random_state=0)


def bloom_factorization():
    network = BilinearNet(20, 15, embedding_dim=8,
                          item_embedding_layer=BloomEmbedding(15, 8, 0.5, 2))
    return ImplicitFactorizationModel(loss='adaptive_hinge', representation=network, n_iter=1,
                                      random_state=1)


MODELS = {
    'explicit': (lambda: ExplicitFactorizationModel(n_iter=1, embedding_dim=8, random_state=1),
                 DATA, lambda model: model.predict(3)),
    'implicit': (lambda: ImplicitFactorizationModel(loss='bpr', n_iter=1, random_state=1),
                 DATA, lambda model: model.predict(3)),
    'implicit, bloom': (bloom_factorization, DATA, lambda model: model.predict(3)),
    'sequence, cnn': (lambda: ImplicitSequenceModel(representation=CNNNet(15, embedding_dim=8),
                                                    n_iter=1, random_state=1),
                      DATA.to_sequence(max_sequence_length=5),
                      lambda model: model.predict([0, 3, 4])),
    'sequence, mixture': (lambda: ImplicitSequenceModel(representation='mixture', n_iter=1,
                                                        embedding_dim=8, random_state=1),
                          DATA.to_sequence(max_sequence_length=5),
                          lambda model: model.predict([0, 3, 4])),
}


def reload(model, tmp_path):
    path = tmp_path / 'model.pt'
    torch.save(model, path)
    return torch.load(path)  # weights_only=True, torch's default since 2.6


@pytest.mark.parametrize('name', sorted(MODELS))
def test_saved_model_loads_with_weights_only_and_resumes(name, tmp_path):
    build, data, predict = MODELS[name]
    model = build()
    model.fit(data)
    loaded = reload(model, tmp_path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(predict(loaded), predict(model))
    # Training continues identically: same shuffles and negatives, same Adam moments.
    assert loaded.fit(data) == model.fit(data)
    np.testing.assert_array_equal(predict(loaded), predict(model))


def test_unregistered_content_is_still_refused(tmp_path):
    path = tmp_path / 'other.pt'
    torch.save({'state': np.random.RandomState(0)}, path)
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path)
