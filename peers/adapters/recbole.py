"""
RecBole's sequential models (GRU4Rec, SASRec) with their defaults and the CE loss, trained on
the training users' time-ordered interactions and scored by ``full_sort_predict``.
"""

import contextlib
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from recsys_models.protocol import CANNOT_RANK, WINDOW
from spotlight_compat.interactions import order_by_user_then_time

from ..scoring import SequenceScorer


def recbole_fit(model_name, overrides=None):
    """
    The fit function of RecBole's ``model_name`` with its defaults; ``overrides`` (e.g.
    ``{'epochs': 1}`` for a quick check) go into RecBole's config last.
    """
    def fit(train, seed):
        return fit_recbole(model_name, train, seed, overrides or {})
    return fit


@contextlib.contextmanager
def numpy2_aliases():
    """
    RecBole 1.2.1's Config re-creates the aliases that NumPy 2 removed (``np.float = np.float_``
    and so on), reading ``np.float_``, ``np.complex_`` and ``np.unicode_``, which NumPy 2 no
    longer has: supply those three while RecBole runs (the peers' environment keeps the
    project's NumPy), and take back what was added afterwards.
    """
    added = []
    for alias, dtype in (('float_', np.float64), ('complex_', np.complex128), ('unicode_', np.str_)):
        if alias not in np.__dict__:
            setattr(np, alias, dtype)
            added.append(alias)
    try:
        yield
    finally:
        for alias in added:
            delattr(np, alias)


@contextlib.contextmanager
def root_log_level(level):
    """The root logger at ``level`` inside the block (RecBole lowers it), as it was after."""
    logger = logging.getLogger()
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


def fit_recbole(model_name, train, seed, overrides):
    """
    Train RecBole's ``model_name`` on ``train`` (each training user's last item held out for
    RecBole's early stopping, the best epoch kept).

    Returns
    -------
    (SequenceScorer, float, dict)
        The scorer (items absent from training score ``CANNOT_RANK``), the training seconds,
        and ``{'best_epoch': n}``.
    """
    import torch
    # RecBole writes its tensorboard log under the working directory: keep it in scratch.
    with (tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch), numpy2_aliases(),
          root_log_level(logging.WARNING)):
        from recbole.config import Config
        from recbole.data import create_dataset, data_preparation
        from recbole.trainer import Trainer
        from recbole.utils import get_model, init_seed

        order = order_by_user_then_time(train.user_ids, train.timestamps)  # as to_sequence
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
                          'mode': 'full'}, **overrides})
        init_seed(config['seed'], config['reproducibility'])
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
    return SequenceScorer(full_sort_scores(model, to_internal)), seconds, {'best_epoch': epochs}


def full_sort_scores(model, to_internal):
    """``score(prefixes)`` through RecBole's ``full_sort_predict``, in the project's item ids."""
    import torch
    from recbole.data.interaction import Interaction

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
        scores[:, to_internal == 0] = CANNOT_RANK
        return scores
    return score
