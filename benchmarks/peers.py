"""
The libraries a student would reach for instead, run on the notebook's own splits.

Run in the peers' own environment (``bash benchmarks/peers.sh`` creates it and runs
this script)::

    python benchmarks/peers.py                       # every row, seeds 0-4, writes results/
    python benchmarks/peers.py --seeds 0 --only sr   # a cheap check, prints only

Explicit rows: test RMSE of the notebook's ``random_train_test_split`` (20 % test,
``RandomState(seed)``), predictions clipped to [1, 5]. Implicit rows: test MRR of the
notebook's ``user_based_train_test_split`` (20 % of users, ``RandomState(seed)``) cut into
windows of 10, scored by ``spotlight_compat.evaluation.sequence_mrr_score`` (plain, and
with the prefix's items ranked last). Every peer gets its library's defaults or a search
on validation data carved from the training data; the test set is read once per model
and seed. Nothing is cached between seeds.

A full run writes ``results/peers.json`` (per-seed numbers) and ``results/peers.md``
(the table), each atomically; a run restricted with ``--seeds`` or ``--only`` prints its
numbers and writes only where ``--results-dir`` says.
"""

import argparse
import concurrent.futures
import contextlib
import itertools
import json
import logging
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from recsys_models.features import implicit_features, item_side_features, user_side_features
from validation_users import fit_and_validation_users

from recsys_models.protocol import WINDOW, user_histories, validation_ratings
from recsys_models.report import TUNED_PEERS as TUNED_ROWS  # the rows tuned with our budget
from spotlight_compat.atomic import atomic_write_bytes
from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight_compat.datasets.movielens import (get_movielens_dataset, get_movielens_item_features,
                                                 get_movielens_user_features)
from spotlight_compat.evaluation import sequence_mrr_score

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / 'results'
SEEDS = (0, 1, 2, 3, 4)
LOWEST = -1e30  # score of items a model cannot rank (the padding id, unseen items)


# --- splits --------------------------------------------------------------------------------

def explicit_split(dataset, seed):
    """The notebook's Part 1 split: (train, test) interactions."""
    return random_train_test_split(dataset, test_percentage=0.2,
                                   random_state=np.random.RandomState(seed))


def implicit_split(dataset, seed):
    """The notebook's Part 2 split: (training users' interactions, test sequences)."""
    train, test = user_based_train_test_split(dataset, test_percentage=0.2,
                                              random_state=np.random.RandomState(seed))
    return train, test.to_sequence(max_sequence_length=WINDOW)


def rmse(predictions, ratings):
    """Test RMSE with predictions clipped to the rating scale [1, 5]."""
    return float(np.sqrt(np.mean((np.clip(predictions, 1.0, 5.0) - ratings) ** 2)))


class SequenceScorer:
    """
    Wrap ``score(prefixes) -> (n, num_items)`` as the ``predict`` / ``predict_sequences``
    model that ``sequence_mrr_score`` takes.
    """

    def __init__(self, score):
        self._score = score

    def predict_sequences(self, prefixes):
        return self._score(np.asarray(prefixes))

    def predict(self, sequence):
        return self._score(np.asarray(sequence)[None, :])[0]


def mrr_pair(scorer, test):
    """(plain MRR, MRR with the prefix's items ranked last)."""
    return (float(sequence_mrr_score(scorer, test).mean()),
            float(sequence_mrr_score(scorer, test, exclude_preceding=True).mean()))


# --- explicit peers ------------------------------------------------------------------------

def side_information(num_users, num_items):
    """
    The side information the Macau MF reads (``recsys_models.features``), one row per id:
    users' age group, gender and occupation; movies' genres and release period.
    """
    users, items = get_movielens_user_features(), get_movielens_item_features()
    if len(users.age) != num_users or len(items.year) != num_items:
        raise ValueError(f"side information covers {len(users.age)} users and {len(items.year)} "
                         f"items, the ratings {num_users} and {num_items}: load both from "
                         "MovieLens 100K.")
    return user_side_features(users), item_side_features(items)


MYFM_SWEEPS = 512


def myfm_row(features):
    """A myFM Bayesian FM (Gibbs, rank 10, 512 sweeps) over the given feature blocks."""
    def fit(train, seed):
        import myfm
        user_blocks = [sp.identity(train.num_users, format='csr')]
        item_blocks = [sp.identity(train.num_items, format='csr')]
        if 'implicit' in features:
            rated, raters = implicit_features(train, power=0.5)
            user_blocks.append(rated)
            item_blocks.append(raters)
        if 'side' in features:
            user_side, item_side = side_information(train.num_users, train.num_items)
            user_blocks.append(user_side)
            item_blocks.append(item_side)
        user_matrix = sp.hstack(user_blocks).tocsr()
        item_matrix = sp.hstack(item_blocks).tocsr()
        grouping = [group for group, block in enumerate(user_blocks + item_blocks)
                    for _ in range(block.shape[1])]
        model = myfm.MyFMRegressor(rank=10, random_seed=seed)
        start = time.perf_counter()
        model.fit(sp.csr_matrix((len(train.user_ids), 0)), train.ratings.astype(np.float64),
                  X_rel=[myfm.RelationBlock(train.user_ids, user_matrix),
                         myfm.RelationBlock(train.item_ids, item_matrix)],
                  n_iter=MYFM_SWEEPS, grouping=grouping)
        seconds = time.perf_counter() - start

        def predict(users, items):
            return model.predict(sp.csr_matrix((len(users), 0)),
                                 X_rel=[myfm.RelationBlock(users, user_matrix),
                                        myfm.RelationBlock(items, item_matrix)])
        return predict, seconds, {}
    return fit


def _surprise_trainset(interactions):
    import pandas as pd
    from surprise import Dataset, Reader
    frame = pd.DataFrame({'user': interactions.user_ids.tolist(),
                          'item': interactions.item_ids.tolist(),
                          'rating': interactions.ratings.astype(float).tolist()})
    return Dataset.load_from_df(frame, Reader(rating_scale=(1, 5))).build_full_trainset()


def _surprise_fit(algorithm, train):
    trainset = _surprise_trainset(train)
    start = time.perf_counter()
    algorithm.fit(trainset)
    seconds = time.perf_counter() - start

    def predict(users, items):
        return np.array([algorithm.predict(u, i, clip=False).est
                         for u, i in zip(users.tolist(), items.tolist())])
    return predict, seconds


SVD_GRID = {'n_factors': (20, 50, 100), 'n_epochs': (20, 50),
            'lr_all': (0.005, 0.01), 'reg_all': (0.02, 0.05, 0.1)}


def svd_tuned(train, seed):
    """Surprise SVD, its 36-setting grid searched on a random 5 % of the training ratings."""
    from surprise import SVD
    fit, valid = validation_ratings(train, seed)
    start = time.perf_counter()
    scores = []
    for values in itertools.product(*SVD_GRID.values()):
        setting = dict(zip(SVD_GRID, values))
        predict, _ = _surprise_fit(SVD(random_state=seed, **setting), fit)
        scores.append((rmse(predict(valid.user_ids, valid.item_ids), valid.ratings), setting))
    search_seconds = time.perf_counter() - start
    best_rmse, best = min(scores, key=lambda pair: pair[0])
    predict, seconds = _surprise_fit(SVD(random_state=seed, **best), train)
    return predict, seconds, {'chosen': best, 'validation_rmse': best_rmse,
                              'search_s': search_seconds}


def knn_baseline(train, seed):
    """Surprise KNNBaseline, item-based, pearson_baseline similarity, other defaults."""
    from surprise import KNNBaseline
    algorithm = KNNBaseline(sim_options={'name': 'pearson_baseline', 'user_based': False},
                            verbose=False)
    predict, seconds = _surprise_fit(algorithm, train)
    return predict, seconds, {}


def svdpp(train, seed):
    """Surprise SVDpp with its defaults."""
    from surprise import SVDpp
    predict, seconds = _surprise_fit(SVDpp(random_state=seed), train)
    return predict, seconds, {}


def cornac_mf(train, seed):
    """cornac MF with the setting of cornac's README example."""
    import cornac
    triplets = list(zip(train.user_ids.astype(str).tolist(), train.item_ids.astype(str).tolist(),
                        train.ratings.astype(float).tolist()))
    trainset = cornac.data.Dataset.from_uir(triplets, seed=seed)
    model = cornac.models.MF(k=10, max_iter=25, learning_rate=0.01, lambda_reg=0.02,
                             use_bias=True, seed=seed, verbose=False)
    start = time.perf_counter()
    model.fit(trainset)
    seconds = time.perf_counter() - start

    def predict(users, items):
        out = np.full(len(users), trainset.global_mean)
        for row, (u, i) in enumerate(zip(users.astype(str).tolist(), items.astype(str).tolist())):
            if u in trainset.uid_map and i in trainset.iid_map:
                out[row] = model.score(trainset.uid_map[u], trainset.iid_map[i])
        return out
    return predict, seconds, {}


# --- implicit peers ------------------------------------------------------------------------

SR_WEIGHTS = {
    'same': lambda d: 1.0,
    'linear': lambda d: max(1.0 - 0.1 * d, 0.0),
    'div': lambda d: 1.0 / d,
    'quadratic': lambda d: 1.0 / d ** 2,
}
PREFIX_DECAY = {
    'last': lambda k: 1.0 if k == 1 else 0.0,
    'linear': lambda k: max(1.0 - 0.1 * (k - 1), 0.0),
    'div': lambda k: 1.0 / k,
    'quadratic': lambda k: 1.0 / k ** 2,
}
SR_GRID = {'steps': (2, 5, 10, 20), 'weighting': tuple(SR_WEIGHTS), 'pruning': (0, 20)}


def sequential_rules(train, steps, weighting, pruning):
    """
    Sequential rules (Ludewig & Jannach): ``rules[a, b]`` sums ``weight(d)`` over every
    time when b follows a at distance ``d <= steps`` in a training user's history; with
    ``pruning`` only the ``pruning`` strongest rules of each item are kept.
    """
    rows, cols, values = [], [], []
    for items in user_histories(train):
        for distance in range(1, min(steps, len(items) - 1) + 1):
            rows.append(items[:-distance])
            cols.append(items[distance:])
            values.append(np.full(len(items) - distance, SR_WEIGHTS[weighting](distance)))
    rules = sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(train.num_items, train.num_items))
    rules.sum_duplicates()
    return _prune_rows(rules, pruning) if pruning else rules


def _prune_rows(matrix, keep):
    """Keep the ``keep`` largest entries of each row."""
    matrix = matrix.tocsr()
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end - start > keep:
            values = matrix.data[start:end]
            values[np.argsort(-values, kind='stable')[keep:]] = 0.0
    matrix.eliminate_zeros()
    return matrix


def sr_scorer(rules, prefix_decay):
    """
    Score every item by the rules of the prefix's items, the k-th latest weighted by
    ``PREFIX_DECAY[prefix_decay](k)`` ('last': the latest item's rules only, classic SR).
    """
    def score(prefixes):
        scores = np.zeros((len(prefixes), rules.shape[1]))
        for k in range(1, prefixes.shape[1] + 1):
            weight = PREFIX_DECAY[prefix_decay](k)
            if weight:
                scores += weight * rules[prefixes[:, -k]].toarray()
        scores[:, 0] = LOWEST
        return scores
    return SequenceScorer(score)


def sr_tuned(train, test, seed):
    """Sequential rules, the rule and prefix settings searched on validation users."""
    fit, valid = fit_and_validation_users(train, seed)
    start = time.perf_counter()
    scores = []
    for values in itertools.product(*SR_GRID.values()):
        setting = dict(zip(SR_GRID, values))
        rules = sequential_rules(fit, **setting)
        for decay in PREFIX_DECAY:
            plain, _ = mrr_pair(sr_scorer(rules, decay), valid)
            scores.append((plain, {**setting, 'prefix_decay': decay}))
    search_seconds = time.perf_counter() - start
    best_mrr, best = max(scores, key=lambda pair: pair[0])
    start = time.perf_counter()
    rules = sequential_rules(train, best['steps'], best['weighting'], best['pruning'])
    seconds = time.perf_counter() - start
    return sr_scorer(rules, best['prefix_decay']), seconds, {
        'chosen': best, 'validation_mrr': best_mrr, 'search_s': search_seconds}


VSKNN = {'k': 100}


def vsknn(train, test, seed):
    """
    V-SKNN (Ludewig & Jannach; session-rec's ``VMContextKNN`` defaults): the training users'
    windows of 10 are the sessions. A prefix's items weigh position / length (the latest 1);
    its similarity to a session is the summed weight of their shared items over the prefix
    length; of the k = 100 most similar sessions, each adds its similarity, divided by how
    far back (1 = the latest item) the prefix's most recent item that it shares lies, to
    every item it contains.
    """
    start = time.perf_counter()
    sessions = train.to_sequence(max_sequence_length=WINDOW).sequences
    member = np.zeros((len(sessions), train.num_items), dtype=bool)
    np.put_along_axis(member, sessions.astype(np.int64), True, axis=1)
    member[:, 0] = False
    member_sparse = sp.csr_matrix(member, dtype=np.float64)
    seconds = time.perf_counter() - start
    k = min(VSKNN['k'], len(sessions))

    def score(prefixes):
        prefixes = prefixes.astype(np.int64)
        lengths = np.count_nonzero(prefixes, axis=1)
        position = np.arange(1, prefixes.shape[1] + 1)[None, :] - (prefixes.shape[1] - lengths)[:, None]
        weights = np.where(prefixes > 0, position, 0) / np.maximum(lengths, 1)[:, None] ** 2
        query = sp.csr_matrix((weights.ravel(), (np.repeat(np.arange(len(prefixes)), prefixes.shape[1]),
                                                 prefixes.ravel())),
                              shape=(len(prefixes), train.num_items))
        similarity = np.asarray((query @ member_sparse.T).todense())
        neighbours = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weight = np.take_along_axis(similarity, neighbours, axis=1)
        decay = np.zeros_like(weight)
        for back in range(prefixes.shape[1], 0, -1):  # the latest shared item wins
            shared = member[neighbours, prefixes[:, -back][:, None]] & (prefixes[:, -back] > 0)[:, None]
            decay[shared] = 1.0 / back
        rows = np.repeat(np.arange(len(prefixes)), k)
        contribution = sp.csr_matrix(((weight * decay).ravel(), (rows, neighbours.ravel())),
                                     shape=(len(prefixes), len(sessions)))
        scores = np.asarray((contribution @ member_sparse).todense())
        scores[:, 0] = LOWEST
        return scores
    return SequenceScorer(score), seconds, {}


RECBOLE_OVERRIDES = {}  # for quick checks only (e.g. {'epochs': 1}); empty in a real run


def recbole_row(model_name):
    """A RecBole sequential model with its defaults (CE loss), via its full-sort prediction."""
    def fit(train, test, seed):
        return _recbole_fit(model_name, train, seed)
    return fit


def _numpy2_aliases_for_recbole():
    """
    RecBole 1.2.1's Config re-creates the aliases that NumPy 2 removed (``np.float = np.float_``
    and so on), reading ``np.float_``, ``np.complex_`` and ``np.unicode_``, which NumPy 2 no
    longer has: supply those three, so the peers' environment keeps the project's NumPy.
    """
    for alias, dtype in (('float_', np.float64), ('complex_', np.complex128), ('unicode_', np.str_)):
        if alias not in np.__dict__:
            setattr(np, alias, dtype)


def _recbole_fit(model_name, train, seed):
    import torch
    _numpy2_aliases_for_recbole()
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.data.interaction import Interaction
    from recbole.trainer import Trainer
    from recbole.utils import get_model, init_seed

    # RecBole writes its tensorboard log under the working directory: keep it in scratch.
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
        order = np.lexsort((train.timestamps, train.user_ids))  # by user, then time, as to_sequence
        users, items = train.user_ids[order], train.item_ids[order]
        (Path(scratch) / 'peers').mkdir()
        lines = ['user_id:token\titem_id:token\ttimestamp:float'] + [
            f'{u}\t{i}\t{t}' for u, i, t in zip(users, items, train.timestamps[order])]
        (Path(scratch) / 'peers' / 'peers.inter').write_text('\n'.join(lines) + '\n')
        config = Config(model=model_name, dataset='peers', config_dict={
            'data_path': scratch, 'checkpoint_dir': scratch, 'seed': seed,
            'use_gpu': False, 'device': 'cpu', 'show_progress': False, 'state': 'WARNING',
            'load_col': {'inter': ['user_id', 'item_id', 'timestamp']},
            'MAX_ITEM_LIST_LENGTH': WINDOW - 1, 'loss_type': 'CE',
            'train_neg_sample_args': None,
            'eval_args': {'split': {'LS': 'valid_only'}, 'order': 'TO', 'group_by': 'user',
                          'mode': 'full'}, **RECBOLE_OVERRIDES})
        init_seed(config['seed'], config['reproducibility'])
        logging.getLogger().setLevel(logging.WARNING)
        dataset = create_dataset(config)
        train_data, valid_data, _ = data_preparation(config, dataset)
        init_seed(config['seed'] + config['local_rank'], config['reproducibility'])
        model = get_model(config['model'])(config, train_data.dataset).to(config['device'])
        trainer = Trainer(config, model)
        start = time.perf_counter()
        trainer.fit(train_data, valid_data, saved=True, show_progress=False,
                    callback_fn=lambda epoch, valid_score: print(
                        f'  {model_name} epoch {epoch}: validation MRR@10 {valid_score:.4f} '
                        f'({time.perf_counter() - start:.0f} s)', file=sys.stderr, flush=True))
        seconds = time.perf_counter() - start
        best = torch.load(trainer.saved_model_file, map_location='cpu', weights_only=False)
        model.load_state_dict(best['state_dict'])
        model.eval()
        epochs = int(best['epoch']) + 1
        to_internal = np.zeros(train.num_items, dtype=np.int64)
        for token, index in dataset.field2token_id['item_id'].items():
            if token != '[PAD]':
                to_internal[int(token)] = index

    def score(prefixes):
        mapped = to_internal[prefixes]
        lengths = np.maximum(np.count_nonzero(mapped, axis=1), 1)
        right_padded = np.zeros_like(mapped)
        for row, values in enumerate(mapped):
            kept = values[values > 0]
            right_padded[row, :len(kept)] = kept
        batch = Interaction({'item_id_list': torch.from_numpy(right_padded),
                             'item_length': torch.from_numpy(lengths)})
        with torch.no_grad():
            internal = model.full_sort_predict(batch).view(len(prefixes), -1).numpy()
        scores = internal[:, to_internal].astype(np.float64)
        scores[:, to_internal == 0] = LOWEST
        return scores
    return SequenceScorer(score), seconds, {'best_epoch': epochs}


# --- the rows ------------------------------------------------------------------------------

EXPLICIT = {
    'myfm-full': ('myfm', 'myFM Bayesian FM (Gibbs, rank 10, 512 sweeps): user + item + '
                  'implicit sets + side information', myfm_row(('implicit', 'side')),
                  'MyFMRegressor(rank=10), fit(n_iter=512), all 512 samples averaged, other '
                  'settings myFM defaults; no search. Features through relation blocks: user and '
                  'item one-hot; the user\'s rated items and the item\'s raters in the training '
                  'ratings, each scaled by 1 / sqrt(count); the Macau MF\'s side information '
                  '(recsys_models.features: user age group, gender, occupation one-hot; item genre '
                  'flags and release period one-hot); one prior group per block'),
    'myfm-implicit': ('myfm', 'myFM, user + item + implicit sets, no side information',
                      myfm_row(('implicit',)), 'as the full myFM row, without the side '
                      'information blocks'),
    'myfm-plain': ('myfm', 'myFM, user + item only (a Bayesian biased MF)', myfm_row(()),
                   'as the full myFM row, user and item one-hot blocks only'),
    'svd-tuned': ('scikit-surprise', 'Surprise SVD, tuned on validation (36-setting grid)',
                  svd_tuned, 'grid n_factors {20, 50, 100} x n_epochs {20, 50} x lr_all '
                  '{0.005, 0.01} x reg_all {0.02, 0.05, 0.1}, best validation RMSE on a random '
                  '5 % of the training ratings, refitted on all of them'),
    'knn-baseline': ('scikit-surprise', 'Surprise KNNBaseline (item-based, pearson_baseline)',
                     knn_baseline, 'library defaults (k = 40, ALS baselines)'),
    'cornac-mf': ('cornac', 'cornac MF (README setting)', cornac_mf,
                  "cornac README: k=10, max_iter=25, learning_rate=0.01, lambda_reg=0.02, "
                  "use_bias=True"),
    'svdpp': ('scikit-surprise', 'Surprise SVDpp (defaults)', svdpp, 'library defaults'),
}

IMPLICIT = {
    'sr': ('numpy/scipy', 'sequential rules (SR), tuned on validation users', sr_tuned,
           'rules from every training user\'s time-ordered history; grid steps {2, 5, 10, 20} x '
           'rule weighting by distance {same, linear, div, quadratic} x pruning {0, 20} x prefix '
           'decay {last item only, linear, div, quadratic} (128 settings), best plain MRR on '
           'validation users (10 % of the training users), refitted on all training users'),
    'gru4rec': ('recbole', 'RecBole GRU4Rec (model defaults, CE loss, windows of 10)',
                recbole_row('GRU4Rec'), 'RecBole\'s model and training defaults (Adam, '
                'lr 0.001, batch 2048, up to 300 epochs) with CE loss; trained on the training '
                'users\' time-ordered interactions as histories of up to 9 items and their next '
                'item (MAX_ITEM_LIST_LENGTH=9: windows of 10), each training user\'s last item '
                'held out for RecBole\'s early stopping (MRR@10, patience 10), the best epoch '
                'kept; test prefixes scored by full_sort_predict, items absent from training '
                'ranked last'),
    'sasrec': ('recbole', 'RecBole SASRec (same)', recbole_row('SASRec'),
               'as the GRU4Rec row'),
    'vsknn': ('numpy/scipy', 'V-SKNN (session kNN over the training users\' windows)', vsknn,
              'session-rec defaults: k = 100 neighbours, prefix items weighted position / length '
              '("div"), similarity "vec", neighbour scores decayed by 1 / distance of the latest '
              'shared item ("div_score"), every training window a candidate; no search'),
}

def gru4rec_tuned(train, test, seed, options):
    """The official GRU4Rec with its tuned setting, fitted on ``train``."""
    import gru4rec_official
    from peer_tuning import chosen_setting
    module, commit = gru4rec_official.load(options['gru4rec_src'])
    setting = chosen_setting('gru4rec-official', options['tuning'])
    start = time.perf_counter()
    model = gru4rec_official.fit(module, train, setting, seed)
    seconds = time.perf_counter() - start
    return (SequenceScorer(gru4rec_official.scorer(model, train.num_items)), seconds,
            {'commit': commit})


def sasrec_tuned(train, test, seed, options):
    """SASRec with its tuned setting and epoch count, fitted on ``train``."""
    from peer_tuning import chosen_setting
    from sasrec import SASRecSetting, fit_sasrec
    setting = SASRecSetting(**chosen_setting('sasrec-tuned', options['tuning']))
    start = time.perf_counter()
    model, _ = fit_sasrec(user_histories(train), train.num_items, setting, seed)
    seconds = time.perf_counter() - start
    return SequenceScorer(model.score), seconds, {}


IMPLICIT.update({
    'gru4rec-official': (
        'hidasib/GRU4Rec_PyTorch_Official', 'GRU4Rec, the official implementation, tuned on '
        'validation users', gru4rec_tuned,
        'the authors\' PyTorch code (benchmarks/gru4rec_official.py imports it from the checkout '
        'given by --gru4rec-src), on the CPU; the setting chosen by the search in "Tuning" below, '
        'refitted on every seed\'s training users; test prefixes fed from a zero hidden state, '
        'items absent from training ranked last'),
    'sasrec-tuned': (
        'torch', 'SASRec (benchmarks/sasrec.py), tuned on validation users',
        sasrec_tuned,
        'a lean SASRec after the authors\' code (benchmarks/sasrec.py); the setting and epoch '
        'count chosen by the search in "Tuning" below, refitted on every seed\'s training users '
        'for that many epochs'),
})

SLOW_ROWS = ('gru4rec', 'sasrec')


def run_explicit(name, dataset, seed):
    _, _, fit, _ = EXPLICIT[name]
    train, test = explicit_split(dataset, seed)
    predict, seconds, extra = fit(train, seed)
    return {'rmse': rmse(predict(test.user_ids, test.item_ids), test.ratings),
            'fit_s': seconds, **extra}


def run_implicit(name, dataset, seed, options):
    _, _, fit, _ = IMPLICIT[name]
    train, test = implicit_split(dataset, seed)
    if name in TUNED_ROWS:
        scorer, seconds, extra = fit(train, test, seed, options)
    else:
        scorer, seconds, extra = fit(train, test, seed)
    plain, seen_last = mrr_pair(scorer, test)
    return {'mrr': plain, 'mrr_seen_last': seen_last, 'fit_s': seconds, **extra}


def describe(name):
    """A row's part, label, library, version and settings (its results come per seed)."""
    part = 'explicit' if name in EXPLICIT else 'implicit'
    library, label, _, settings = (EXPLICIT if part == 'explicit' else IMPLICIT)[name]
    return {'part': part, 'label': label, 'library': library,
            'version': library_version(library), 'settings': settings, 'per_seed': {}}


def run_task(name, seed, threads, options):
    """
    One row on one seed, from a fresh split and a fresh fit; an error is returned, not raised.
    ``options``: ``gru4rec_src`` (the checkout's folder) and ``tuning`` (the content of
    peers_tuning.json), read by the tuned rows only.
    """
    import torch
    torch.set_num_threads(threads)
    dataset = get_movielens_dataset('100K')
    try:
        if name in EXPLICIT:
            return run_explicit(name, dataset, seed)
        return run_implicit(name, dataset, seed, options)
    except Exception as error:  # reported in the results, the other rows go on
        return {'error': f'{type(error).__name__}: {error}'}


def library_version(library):
    if library == 'hidasib/GRU4Rec_PyTorch_Official':
        return 'commit: see "Tuning"'  # replaced by the tuned checkout's commit in main()
    if library == 'numpy/scipy':
        return f'(numpy {version("numpy")}, scipy {version("scipy")})'
    return version(library)


# --- reporting -----------------------------------------------------------------------------

def _mean_std(values):
    """Mean and sample standard deviation (None for a single value)."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else None


def _pm(mean_std):
    mean, std = mean_std
    return f'{mean:.4f}' if std is None else f'{mean:.4f} ± {std:.4f}'


def summary(rows):
    """Mean, sample std and mean fit seconds of each row's successful per-seed results."""
    out = {}
    for name, row in rows.items():
        per_seed = [r for r in row['per_seed'].values() if 'error' not in r]
        metrics = ('rmse',) if row['part'] == 'explicit' else ('mrr', 'mrr_seen_last')
        if not per_seed:
            continue
        out[name] = {metric: _mean_std([r[metric] for r in per_seed]) for metric in metrics}
        out[name]['fit_s'] = float(np.mean([r['fit_s'] for r in per_seed]))
        searches = [r['search_s'] for r in per_seed if 'search_s' in r]
        out[name]['search_s'] = float(np.mean(searches)) if searches else None
        out[name]['seeds'] = [int(seed) for seed, r in row['per_seed'].items() if 'error' not in r]
    return out


def markdown(report):
    """The results tables of ``report`` (the content of results/peers.json)."""
    stats = summary(report['rows'])
    seeds = ', '.join(map(str, report['seeds']))
    lines = ['# Peers on the notebooks\' splits', '',
             'Generated by `benchmarks/peers.py`; do not edit by hand. Mean ± sample std over '
             f'the seeds run (of {seeds}); fit s is the mean wall-clock time of the final fit '
             '(a validation search, where there is one, is timed separately as search s).', '',
             'Runs that produced these numbers:', '']
    for run in report['runs']:
        lines.append(f'- `{run["command"]}`: {run["wall_s"] / 60:.1f} min wall, '
                     f'{run["jobs"]} worker process{"es" if run["jobs"] > 1 else ""} at once, '
                     f'torch with {run["torch_threads"]} thread'
                     f'{"s" if run["torch_threads"] > 1 else ""} each; {run["machine"]}.'
                     + (f' Why: {run["why"]}' if run.get('why') else ''))
    lines.append('')
    if not report['complete']:
        lines += [f'**Incomplete**: not run (yet): {", ".join(report["pending"])}.', '']
    lines += ['| explicit, test RMSE (clipped to [1, 5]) | library | mean ± std | seeds | fit s '
              '| search s |', '|---|---|---|---|---|---|']
    for name, row in report['rows'].items():
        if row['part'] == 'explicit' and name in stats:
            lines.append(f'| {row["label"]} | {row["library"]} {row["version"]} | '
                         f'{_pm(stats[name]["rmse"])} | {_seed_list(stats[name]["seeds"])} | '
                         f'{stats[name]["fit_s"]:.1f} | {_seconds(stats[name]["search_s"])} |')
    lines += ['', '| implicit, test MRR | library | plain | prefix items ranked last | seeds | '
              'fit s | search s |', '|---|---|---|---|---|---|---|']
    for name, row in report['rows'].items():
        if row['part'] == 'implicit' and name in stats:
            lines.append(f'| {row["label"]} | {row["library"]} {row["version"]} | '
                         f'{_pm(stats[name]["mrr"])} | {_pm(stats[name]["mrr_seen_last"])} | '
                         f'{_seed_list(stats[name]["seeds"])} | {stats[name]["fit_s"]:.1f} | '
                         f'{_seconds(stats[name]["search_s"])} |')
    errors = [f'- {name} seed {seed}: {result["error"]}' for name, row in report['rows'].items()
              for seed, result in row['per_seed'].items() if 'error' in result]
    if errors:
        lines += ['', '## Failed runs', '', *errors]
    lines += ['', '## Settings and how they were chosen', '']
    for name, row in report['rows'].items():
        lines.append(f'- **{row["label"]}** (`--only {name}`): {row["settings"]}.'
                     + _chosen(row))
    lines += tuning_lines(report.get('tuning', {}))
    lines += ['', '## Per seed', '', '| row | ' + ' | '.join(f'seed {s}' for s in report['seeds'])
              + ' |', '|---|' + '---|' * len(report['seeds'])]
    for name, row in report['rows'].items():
        cells = [_per_seed_cell(row['per_seed'].get(str(s))) for s in report['seeds']]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    lines.append('')
    return '\n'.join(lines)


def tuning_lines(tuning):
    """The "Tuning" section: each tuned peer's space, budget, time and choice."""
    if not tuning:
        return []
    lines = ['', '## Tuning', '',
             'Each tuned peer gets the same budget: the same number of trials of an optuna TPE '
             'search, each trial fitted on the fit users of outer seed '
             f'{next(iter(tuning.values()))["validation_seed"]}\'s validation split and scored '
             'by plain MRR on its validation users (the test users are never read); every '
             'trial is in results/peers_tuning.json.', '']
    for row, record in tuning.items():
        lines.append(f'- **{row}** (`{record["command"]}`): {record["n_trials"]} trials, '
                     f'{record["search_s"] / 60:.1f} min on {record["machine"]}; '
                     f'{record["sampler"]}'
                     + (f'; checkout at commit {record["commit"]}' if 'commit' in record else '')
                     + f'. Space: {record["space"]}. Chosen (validation MRR '
                     f'{record["validation_mrr"]:.4f}): `{json.dumps(record["chosen"])}`.')
    return lines


def _seed_list(seeds):
    return ', '.join(map(str, seeds))


def _seconds(value):
    return '' if value is None else f'{value:.1f}'


def _chosen(row):
    chosen = [f'seed {seed} `{json.dumps(r["chosen"], sort_keys=True)}`'
              for seed, r in row['per_seed'].items() if 'chosen' in r]
    epochs = [f'seed {seed}: {r["best_epoch"]}' for seed, r in row['per_seed'].items()
              if 'best_epoch' in r]
    if chosen:
        return ' Chosen: ' + '; '.join(chosen) + '.'
    if epochs:
        return ' Best epoch (of the early-stopped run): ' + ', '.join(epochs) + '.'
    return ''


def _per_seed_cell(result):
    if result is None:
        return 'not run'
    if 'error' in result:
        return 'failed'
    if 'rmse' in result:
        return f'{result["rmse"]:.4f}'
    return f'{result["mrr"]:.4f} / {result["mrr_seen_last"]:.4f}'


def machine_description(load_start, load_end):
    cores = os.cpu_count()
    return (f'{platform.processor() or platform.machine()}, {cores} cores, Python '
            f'{platform.python_version()}, torch {version("torch")} (CPU); 1-minute load average '
            f'{load_start:.1f} at the start and {load_end:.1f} at the end of the run'
            + (' (the machine was shared with other jobs, so fit times are inflated)'
               if max(load_start, load_end) > cores else ''))


# What the results files record in place of a path-valued option's value: a machine's paths
# mean nothing elsewhere (benchmarks/README.md says what each placeholder stands for).
PLACEHOLDERS = {'--original-python': 'ORIGINAL_PYTHON', '--gru4rec-src': 'GRU4REC_SRC',
                '--example-path': 'DIR', '--results-dir': 'DIR'}


def recorded_command(words, paths=None):
    """
    The command line ``words`` as the results files record it, naming none of this machine's
    paths: the value of an option of PLACEHOLDERS (``--gru4rec-src PATH`` or
    ``--gru4rec-src=PATH``) becomes the option's placeholder; any other absolute path inside
    this repository (the project's interpreter) is written relative to the repository; a word
    equal to a key of ``paths`` (a positional path, e.g. ``{checkout: 'SPOTLIGHT_SRC'}``)
    becomes its value.
    """
    paths = {str(path): name for path, name in (paths or {}).items()}
    recorded = []
    for word in map(str, words):
        option, equals, _ = word.partition('=')
        if recorded and recorded[-1] in PLACEHOLDERS:
            word = PLACEHOLDERS[recorded[-1]]
        elif equals and option in PLACEHOLDERS:
            word = f'{option}={PLACEHOLDERS[option]}'
        elif Path(word).is_absolute() and Path(word).is_relative_to(ROOT):
            word = str(Path(word).relative_to(ROOT))
        elif word in paths:
            word = paths[word]
        recorded.append(word)
    return ' '.join(recorded)


def write_results(report, directory):
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(directory / 'peers.json',
                       (json.dumps(report, indent=1, sort_keys=False) + '\n').encode('utf-8'))
    atomic_write_bytes(directory / 'peers.md', markdown(report).encode('utf-8'))


# --- command line --------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=list(SEEDS))
    parser.add_argument('--only', nargs='+', default=None, metavar='ROW',
                        help=f'rows to run, of: {", ".join([*EXPLICIT, *IMPLICIT])}')
    parser.add_argument('--jobs', type=int, default=1,
                        help='rows run in this many worker processes at once (default 1)')
    parser.add_argument('--results-dir', type=Path, default=None,
                        help='where to write peers.json / peers.md (default: results/ for a '
                             'full run or --update, nowhere for a restricted run)')
    parser.add_argument('--why', default=None,
                        help='what changed and why these rows are rerun (recorded with the run)')
    parser.add_argument('--update', action='store_true',
                        help='rerun only the selected rows and seeds and merge them into the '
                             'existing peers.json, keeping every other result')
    parser.add_argument('--gru4rec-src', type=Path, default=None, metavar='PATH',
                        help='a checkout of hidasib/GRU4Rec_PyTorch_Official (needed by the '
                             'gru4rec-official row and its tuning)')
    parser.add_argument('--tune', choices=TUNED_ROWS, default=None,
                        help='instead of running rows, search this row\'s setting on validation '
                             'users and record it in peers_tuning.json')
    parser.add_argument('--trials', type=int, default=20,
                        help='trials of the --tune search (default 20, the same for every peer)')
    args = parser.parse_args(argv)
    selected = [args.tune] if args.tune else (args.only or [*EXPLICIT, *IMPLICIT])
    if 'gru4rec-official' in selected and args.gru4rec_src is None:
        parser.error('the gru4rec-official row needs --gru4rec-src PATH, a checkout of '
                     'https://github.com/hidasib/GRU4Rec_PyTorch_Official.')
    if args.trials < 1:
        parser.error(f'--trials must be at least 1, got {args.trials}.')
    unknown = sorted(set(args.only or ()) - set(EXPLICIT) - set(IMPLICIT))
    if unknown:
        parser.error(f'--only: unknown row(s) {unknown}; choose from '
                     f'{", ".join([*EXPLICIT, *IMPLICIT])}.')
    if args.jobs < 1:
        parser.error(f'--jobs must be at least 1, got {args.jobs}.')
    full_run = args.only is None and sorted(args.seeds) == list(SEEDS)
    if args.results_dir is None and (full_run or args.update):
        args.results_dir = RESULTS
    if args.update and not (args.results_dir / 'peers.json').is_file():
        parser.error(f'--update: no {args.results_dir / "peers.json"} to update; run without '
                     '--update first.')
    return args


def task_order(names, seeds):
    """
    (row, seed) tasks: every fast row on every seed first, then the slow RecBole rows seed
    by seed, so that a run cut short has every fast row and the slow rows' first seeds.
    """
    slow = [(name, seed) for seed in seeds for name in names if name in SLOW_ROWS]
    fast = [(name, seed) for name in names if name not in SLOW_ROWS for seed in seeds]
    return fast + slow


def previous_report(args, names):
    """The report that ``--update`` merges into (all of its rows), or a fresh one."""
    if not args.update:
        return {'seeds': list(args.seeds), 'runs': [], 'pending': [],
                'rows': {name: describe(name) for name in names}}
    previous = json.loads((args.results_dir / 'peers.json').read_text('utf-8'))
    for name in {*previous['rows'], *names}:  # descriptions from this code, results kept
        kept = previous['rows'].get(name, {}).get('per_seed', {})
        previous['rows'][name] = {**describe(name), 'per_seed': {
            seed: result for seed, result in kept.items()
            if name not in names or int(seed) not in args.seeds}}
    order = [*EXPLICIT, *IMPLICIT]
    previous['rows'] = dict(sorted(previous['rows'].items(), key=lambda kv: order.index(kv[0])))
    return previous


TUNING_FILE = 'peers_tuning.json'


def load_tuning(directory):
    """The content of ``directory``/peers_tuning.json ({} when there is none)."""
    path = directory / TUNING_FILE
    return json.loads(path.read_text('utf-8')) if path.is_file() else {}


def run_tuning(args):
    """``--tune ROW``: search the row's setting and merge the record into peers_tuning.json."""
    import filelock
    import gru4rec_official
    import torch
    from peer_tuning import tune
    directory = args.results_dir or RESULTS
    load_start = os.getloadavg()[0]
    module, commit = (gru4rec_official.load(args.gru4rec_src) if args.tune == 'gru4rec-official'
                      else (None, None))
    record = tune(args.tune, get_movielens_dataset('100K'), args.trials, gru4rec_module=module,
                  log=lambda line: print(line, flush=True))
    record['command'] = recorded_command(['python', 'benchmarks/peers.py', *sys.argv[1:]])
    record['machine'] = (machine_description(load_start, os.getloadavg()[0])
                         + f', torch with {torch.get_num_threads()} thread(s)')
    if commit is not None:
        record['commit'] = commit
    directory.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(directory / (TUNING_FILE + '.lock'))):  # two searches may finish together
        tuning = {**load_tuning(directory), args.tune: record}
        atomic_write_bytes(directory / TUNING_FILE,
                           (json.dumps(tuning, indent=1) + '\n').encode('utf-8'))
    print(f'{args.tune}: chosen {json.dumps(record["chosen"])}, validation MRR '
          f'{record["validation_mrr"]:.4f}, {record["search_s"] / 60:.1f} min; wrote '
          f'{directory / TUNING_FILE}')


def main(argv=None):
    args = parse_args(argv)
    if args.tune:
        return run_tuning(args)
    names = [name for name in [*EXPLICIT, *IMPLICIT] if name in (args.only or [*EXPLICIT, *IMPLICIT])]
    get_movielens_dataset('100K')  # fetch once, before any worker starts
    command = recorded_command(['python', 'benchmarks/peers.py',
                                *(sys.argv[1:] if argv is None else argv)])
    load_start, started = os.getloadavg()[0], time.perf_counter()
    base = previous_report(args, names)
    rows = base['rows']
    tasks = task_order(names, args.seeds)
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    tuning = load_tuning(args.results_dir or RESULTS)
    options = {'gru4rec_src': args.gru4rec_src, 'tuning': tuning}
    if 'gru4rec-official' in rows and 'commit' in tuning.get('gru4rec-official', {}):
        rows['gru4rec-official']['version'] = f"commit {tuning['gru4rec-official']['commit'][:7]}"

    def report():
        pending = [task for task in base['pending'] if task not in
                   {f'{name} seed {seed}' for name, seed in tasks}]
        pending += [f'{name} seed {seed}' for name, seed in tasks
                    if str(seed) not in rows[name]['per_seed']]
        run = {'command': command, 'jobs': args.jobs, 'torch_threads': threads,
               'wall_s': time.perf_counter() - started,
               'machine': machine_description(load_start, os.getloadavg()[0])}
        if args.why:
            run['why'] = args.why
        return {'seeds': base['seeds'], 'complete': not pending, 'pending': pending,
                'runs': [*base['runs'], run],
                'tuning': {row: {k: v for k, v in record.items() if k != 'trials'}
                           for row, record in tuning.items() if row in rows},
                'rows': {name: {**row, 'per_seed': dict(sorted(row['per_seed'].items()))}
                         for name, row in rows.items()}}

    with concurrent.futures.ProcessPoolExecutor(
            args.jobs, mp_context=multiprocessing.get_context('spawn')) as pool:
        futures = {pool.submit(run_task, name, seed, threads, options): (name, seed)
                   for name, seed in tasks}
        for future in concurrent.futures.as_completed(futures):
            name, seed = futures[future]
            rows[name]['per_seed'][str(seed)] = result = future.result()
            print(f'{name} seed {seed}: ' + json.dumps(result), flush=True)
            if args.results_dir is not None:  # every finished task is on disk at once
                write_results(report(), args.results_dir)
    final = report()
    print(markdown(final))
    if args.results_dir is not None:
        write_results(final, args.results_dir)
        print(f'wrote {args.results_dir / "peers.json"} and {args.results_dir / "peers.md"}')


if __name__ == '__main__':
    main()
