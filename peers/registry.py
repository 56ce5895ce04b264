"""
The peers' rows: one ``Row`` each, in the order of the tables.

A row's ``fit`` takes the training data and the seed (and, for a ``tuned`` row, the
``tuning`` record of ``results/peers_tuning.json`` and ``gru4rec_src``), never the test set.
"""

import time
from dataclasses import dataclass
from typing import Callable

from recsys_models.protocol import user_histories

from .adapters import gru4rec_official
from .adapters.cornac import fit_cornac_mf
from .adapters.myfm import myfm_fit
from .adapters.recbole import recbole_fit
from .adapters.surprise import fit_knn_baseline, fit_svd_tuned, fit_svdpp
from .models.sasrec import SASRecSetting, fit_sasrec
from .models.sequential_rules import fit_sequential_rules
from .models.vsknn import fit_vsknn
from .scoring import SequenceScorer
from .tuning import chosen_setting


@dataclass(frozen=True)
class Row:
    """
    One peer of the tables.

    Attributes
    ----------
    part: str
        'explicit' (test RMSE) or 'implicit' (test MRR).
    library: str
        The distribution it comes from (its version is recorded), or 'numpy/scipy' / 'torch'
        for a peer written here.
    label: str
        The row's label in the tables.
    settings: str
        Its settings and how they were chosen, in words.
    fit: callable
        ``fit(train, seed) -> (predict or SequenceScorer, seconds, extra)``; a ``tuned`` row's
        also takes ``tuning`` and ``gru4rec_src``.
    tuned: bool
        Tuned by ``peers.tuning`` with the project's trial budget (``--tune``).
    slow: bool
        Runs after every fast row, seed by seed (RecBole's, minutes per seed).
    """
    part: str
    library: str
    label: str
    settings: str
    fit: Callable
    tuned: bool = False
    slow: bool = False


def fit_gru4rec_tuned(train, seed, tuning, gru4rec_src):
    """The official GRU4Rec with its tuned setting, fitted on ``train``."""
    module, commit = gru4rec_official.load(gru4rec_src)
    setting = chosen_setting('gru4rec-official', tuning)
    start = time.perf_counter()
    model = gru4rec_official.fit(module, train, setting, seed)
    seconds = time.perf_counter() - start
    return (SequenceScorer(gru4rec_official.scorer(model, train.num_items)), seconds,
            {'commit': commit})


def fit_sasrec_tuned(train, seed, tuning, gru4rec_src):
    """SASRec with its tuned setting and epoch count, fitted on ``train`` (``gru4rec_src`` unused)."""
    setting = SASRecSetting(**chosen_setting('sasrec-tuned', tuning))
    start = time.perf_counter()
    model, _ = fit_sasrec(user_histories(train), train.num_items, setting, seed)
    seconds = time.perf_counter() - start
    return SequenceScorer(model.score), seconds, {}


ROWS = {
    'myfm-full': Row(
        'explicit', 'myfm', 'myFM Bayesian FM (Gibbs, rank 10, 512 sweeps): user + item + '
        'implicit sets + side information', 'MyFMRegressor(rank=10), fit(n_iter=512), all 512 '
        'samples averaged, other settings myFM defaults; no search. Features through relation '
        'blocks: user and item one-hot; the user\'s rated items and the item\'s raters in the '
        'training ratings, each scaled by 1 / sqrt(count); the Macau MF\'s side information '
        '(recsys_models.features: user age group, gender, occupation one-hot; item genre flags and '
        'release period one-hot); one prior group per block', myfm_fit(('implicit', 'side'))),
    'myfm-implicit': Row(
        'explicit', 'myfm', 'myFM, user + item + implicit sets, no side information',
        'as the full myFM row, without the side information blocks', myfm_fit(('implicit',))),
    'myfm-plain': Row(
        'explicit', 'myfm', 'myFM, user + item only (a Bayesian biased MF)',
        'as the full myFM row, user and item one-hot blocks only', myfm_fit(())),
    'svd-tuned': Row(
        'explicit', 'scikit-surprise', 'Surprise SVD, tuned on validation (36-setting grid)',
        'grid n_factors {20, 50, 100} x n_epochs {20, 50} x lr_all {0.005, 0.01} x reg_all '
        '{0.02, 0.05, 0.1}, best validation RMSE on a random 5 % of the training ratings, refitted '
        'on all of them', fit_svd_tuned),
    'knn-baseline': Row(
        'explicit', 'scikit-surprise', 'Surprise KNNBaseline (item-based, pearson_baseline)',
        'library defaults (k = 40, ALS baselines)', fit_knn_baseline),
    'cornac-mf': Row(
        'explicit', 'cornac', 'cornac MF (README setting)',
        'cornac README: k=10, max_iter=25, learning_rate=0.01, lambda_reg=0.02, use_bias=True',
        fit_cornac_mf),
    'svdpp': Row('explicit', 'scikit-surprise', 'Surprise SVDpp (defaults)', 'library defaults',
                 fit_svdpp),
    'sr': Row(
        'implicit', 'numpy/scipy', 'sequential rules (SR), tuned on validation users',
        'rules from every training user\'s time-ordered history; grid steps {2, 5, 10, 20} x rule '
        'weighting by distance {same, linear, div, quadratic} x pruning {0, 20} x prefix decay '
        '{last item only, linear, div, quadratic} (128 settings), best plain MRR on validation '
        'users (10 % of the training users), refitted on all training users', fit_sequential_rules),
    'gru4rec': Row(
        'implicit', 'recbole', 'RecBole GRU4Rec (model defaults, CE loss, windows of 10)',
        'RecBole\'s model and training defaults (Adam, lr 0.001, batch 2048, up to 300 epochs) '
        'with CE loss; trained on the training users\' time-ordered interactions as histories of '
        'up to 9 items and their next item (MAX_ITEM_LIST_LENGTH=9: windows of 10), each training '
        'user\'s last item held out for RecBole\'s early stopping (MRR@10, patience 10), the best '
        'epoch kept; test prefixes scored by full_sort_predict, items absent from training ranked '
        'last', recbole_fit('GRU4Rec'), slow=True),
    'sasrec': Row('implicit', 'recbole', 'RecBole SASRec (same)', 'as the GRU4Rec row',
                  recbole_fit('SASRec'), slow=True),
    'vsknn': Row(
        'implicit', 'numpy/scipy', 'V-SKNN (session kNN over the training users\' windows)',
        'session-rec defaults: k = 100 neighbours, prefix items weighted position / length '
        '("div"), similarity "vec", neighbour scores decayed by 1 / distance of the latest shared '
        'item ("div_score"), every training window a candidate; no search', fit_vsknn),
    'gru4rec-official': Row(
        'implicit', 'hidasib/GRU4Rec_PyTorch_Official', 'GRU4Rec, the official implementation, '
        'tuned on validation users', 'the authors\' PyTorch code (peers/adapters/gru4rec_official.py '
        'imports it from the checkout given by --gru4rec-src), on the CPU; the setting chosen by '
        'the search in "Tuning" below, refitted on every seed\'s training users; test prefixes fed '
        'from a zero hidden state, items absent from training ranked last', fit_gru4rec_tuned,
        tuned=True),
    'sasrec-tuned': Row(
        'implicit', 'torch', 'SASRec (peers/models/sasrec.py), tuned on validation users',
        'a lean SASRec after the authors\' code (peers/models/sasrec.py); the setting and epoch '
        'count chosen by the search in "Tuning" below, refitted on every seed\'s training users '
        'for that many epochs', fit_sasrec_tuned, tuned=True),
}

TUNED = tuple(name for name, row in ROWS.items() if row.tuned)
