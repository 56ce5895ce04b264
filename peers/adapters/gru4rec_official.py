"""
The official GRU4Rec (Hidasi et al.; hidasib/GRU4Rec_PyTorch_Official) on the homework's
splits. The project holds none of its code: ``load(src)`` imports ``gru4rec_pytorch.py``
from a checkout fetched beside it, e.g.::

    git clone https://github.com/hidasib/GRU4Rec_PyTorch_Official GRU4REC_SRC
    bash benchmarks/peers.sh --only gru4rec-official --gru4rec-src GRU4REC_SRC

Training sessions are either each training user's whole time-ordered history, or that
history cut into the test's own windows of 10 (``sessions`` in the tuned setting). A test
prefix is fed item by item from a zero hidden state, as GRU4Rec starts every session; the
scores after its last item rank every item.
"""

import contextlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np

from recsys_models.protocol import CANNOT_RANK, WINDOW, user_histories

# Negative samples drawn ahead per refill (GRU4Rec's default is 10 million, about 10 s to draw
# on a CPU, more than 50 of its epochs here need); a speed setting only.
SAMPLE_CACHE = 1_000_000


def load(src):
    """The ``gru4rec_pytorch`` module of the checkout at ``src``, and the checkout's commit."""
    path = Path(src) / 'gru4rec_pytorch.py'
    if not path.is_file():
        raise FileNotFoundError(
            f'--gru4rec-src {src}: no gru4rec_pytorch.py there. Clone '
            'https://github.com/hidasib/GRU4Rec_PyTorch_Official and pass its folder.')
    spec = importlib.util.spec_from_file_location('gru4rec_pytorch', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    commit = subprocess.run(['git', '-C', str(src), 'rev-parse', 'HEAD'], capture_output=True,
                            text=True).stdout.strip() or 'unknown (not a git checkout)'
    return module, commit


def sessions_frame(train, sessions):
    """
    The training users' interactions as GRU4Rec's table (SessionId, ItemId, Time), each
    session's rows in the homework's time order (``Time`` is the position in it).
    """
    import pandas as pd
    if sessions == 'history':
        groups = user_histories(train)
    elif sessions == 'windows':
        groups = [row[row > 0] for row in train.to_sequence(max_sequence_length=WINDOW).sequences]
    else:
        raise ValueError(f"sessions must be 'history' or 'windows', got {sessions!r}.")
    groups = [items for items in groups if len(items) > 1]
    return pd.DataFrame({
        'SessionId': np.repeat(np.arange(len(groups)), [len(items) for items in groups]),
        'ItemId': np.concatenate(groups),
        'Time': np.concatenate([np.arange(len(items)) for items in groups])})


@contextlib.contextmanager
def numpy_global_seed(seed):
    """NumPy's global random state seeded with ``seed`` inside the block (GRU4Rec draws its
    negative samples from it), and put back as it was afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def fit(module, train, setting, seed):
    """
    Train ``module.GRU4Rec`` on the CPU with ``setting`` (its constructor's parameters, plus
    ``sessions``); its progress prints go to stderr. Returns the fitted ``GRU4Rec``.
    """
    import torch
    parameters = dict(setting)
    frame = sessions_frame(train, parameters.pop('sessions'))
    if parameters.get('embedding') == 'layersize':
        parameters['embedding'] = parameters['layers'][0]
    torch.manual_seed(seed)
    model = module.GRU4Rec(device=torch.device('cpu'), **parameters)
    # compatibility_mode=True (the Theano version's numpy initialisation) breaks under NumPy 2,
    # whose type promotion makes its float32 weights float64; the PyTorch initialisation
    # instead, seeded by torch.manual_seed.
    with contextlib.redirect_stdout(sys.stderr), numpy_global_seed(seed):
        model.fit(frame, sample_cache_max_size=SAMPLE_CACHE, compatibility_mode=False)
    if model.error_during_train:
        raise FloatingPointError(f'GRU4Rec stopped on a NaN loss with {setting}.')
    return model


def scorer(model, num_items):
    """``score(prefixes) -> (n, num_items)``: every item's score after each left-padded prefix."""
    import torch
    itemidmap = model.data_iterator.itemidmap
    to_internal = np.full(num_items, -1, dtype=np.int64)
    to_internal[itemidmap.index.values.astype(np.int64)] = itemidmap.values
    known = to_internal >= 0

    @torch.no_grad()
    def score(prefixes):
        mapped = to_internal[np.asarray(prefixes)]
        hidden = [torch.zeros(len(mapped), width) for width in model.layers]
        last = torch.zeros(len(mapped), len(itemidmap))
        for column in mapped.T:
            rows = np.flatnonzero(column >= 0)
            if len(rows) == 0:
                continue
            state = [h[rows] for h in hidden]
            last[rows] = model.model.forward(torch.from_numpy(column[rows]), state, None,
                                             training=False)
            for h, new in zip(hidden, state):
                h[rows] = new
        scores = np.full((len(mapped), num_items), CANNOT_RANK)
        scores[:, known] = last.numpy()[:, to_internal[known]]
        return scores
    return score
