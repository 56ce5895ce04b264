"""
spotlight code that runs with only its imports changed (``spotlight`` becomes
``spotlight_compat``): both models built with every argument of spotlight's
constructors, on the CPU (``use_cuda=False``), fitted, evaluated and queried
the way spotlight's documentation does it.

Run from the repository root: ``python examples/spotlight_style.py``
(MovieLens 100K is fetched on first use, then read from the cache).
"""

import numpy as np

from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight_compat.datasets.movielens import get_movielens_dataset
from spotlight_compat.evaluation import rmse_score, sequence_mrr_score
from spotlight_compat.factorization.explicit import ExplicitFactorizationModel
from spotlight_compat.sequence.implicit import ImplicitSequenceModel

dataset = get_movielens_dataset(variant='100K')
print(dataset)

train, test = random_train_test_split(dataset, test_percentage=0.2,
                                      random_state=np.random.RandomState(42))
model = ExplicitFactorizationModel(loss='regression',
                                   embedding_dim=32,
                                   n_iter=3,
                                   batch_size=256,
                                   l2=0.0,
                                   learning_rate=1e-2,
                                   optimizer_func=None,
                                   use_cuda=False,
                                   representation=None,
                                   sparse=False,
                                   random_state=np.random.RandomState(42))
model.fit(train, verbose=True)
print('Explicit factorization test RMSE: {:.4f}'.format(rmse_score(model, test)))
print('Predicted ratings of user 1 for items 1-5:', np.round(model.predict(1, np.arange(1, 6)), 2))

train, test = user_based_train_test_split(dataset, test_percentage=0.2,
                                          random_state=np.random.RandomState(42))
train = train.to_sequence(max_sequence_length=10)
test = test.to_sequence(max_sequence_length=10)
model = ImplicitSequenceModel(loss='pointwise',
                              representation='pooling',
                              embedding_dim=32,
                              n_iter=3,
                              batch_size=256,
                              l2=0.0,
                              learning_rate=1e-2,
                              optimizer_func=None,
                              use_cuda=False,
                              sparse=False,
                              random_state=np.random.RandomState(42),
                              num_negative_samples=5)
model.fit(train, verbose=True)
mrr = sequence_mrr_score(model, test)
print('Pooling sequence model test MRR: {:.4f}'.format(mrr.mean()))
scores = model.predict(test.sequences[:1, :-1])
print('Top 5 next items after the first test prefix:', np.argsort(-scores)[:5])
