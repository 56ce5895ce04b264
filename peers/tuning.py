"""
Tuning of the sequential peers (the official GRU4Rec, SASRec) on validation users, with the
same trial budget for each: an optuna TPE search (seeded) over each model's own published
parameter space, every trial fitted on the fit users of the validation split of outer seed
``VALIDATION_SEED`` (``recsys_models.protocol.validation_users``) and scored by plain MRR on
its validation users' windows. The test users are never read. The chosen setting is then
fitted on every outer seed's training users by ``python -m benchmarks.peers``.

Run through the peers' runner::

    bash benchmarks/peers.sh --tune gru4rec-official --trials 20 --gru4rec-src GRU4REC_SRC
    bash benchmarks/peers.sh --tune sasrec-tuned --trials 20

which writes ``results/peers_tuning.json`` (every trial, the chosen setting) atomically.
"""

import json
import time

import numpy as np

from recsys_models.protocol import fit_and_validation_users, training_users, user_histories
from spotlight_compat.evaluation import sequence_mrr_score

from .adapters import gru4rec_official
from .models.sasrec import SASRecSetting, fit_sasrec
from .scoring import SequenceScorer

VALIDATION_SEED = 0

# (name, kind, values): 'int' / 'float' ranges [low, high] with a step, 'log' a log-uniform
# range, 'categorical' a list; a fourth element names the loss a parameter belongs to.
# logq (the cross-entropy's sampling correction) stays at GRU4Rec's default 0: with logq > 0
# its fit() builds a tensor from a pandas Series, which fails on pandas 3 (the project's pin).
GRU4REC_SPACE = [  # paramspaces/gru4rec_{xe,bprmax}_standard_parspace.json, plus the rest
    ('loss', 'categorical', ['cross-entropy', 'bpr-max']),
    ('layers', 'int', [64, 512], 32),
    ('batch_size', 'int', [32, 256], 16),
    ('learning_rate', 'float', [0.01, 0.25], 0.005),
    ('dropout_p_embed', 'float', [0.0, 0.5], 0.05),
    ('dropout_p_hidden', 'float', [0.0, 0.7], 0.05),
    ('momentum', 'float', [0.0, 0.9], 0.05),
    ('n_sample', 'categorical', [0, 512, 2048]),
    ('sample_alpha', 'float', [0.0, 1.0], 0.1),
    ('embedding', 'categorical', ['constrained', 'layersize', 'none']),
    ('n_epochs', 'int', [1, 16], 1),  # a first search, over [2, 16], chose its lower end
    ('sessions', 'categorical', ['history', 'windows']),
    ('bpreg', 'float', [0.0, 2.0], 0.05, 'bpr-max'),
    ('elu_param', 'categorical', [0.0, 0.5, 1.0], 'bpr-max'),
]

SASREC_SPACE = [
    ('loss', 'categorical', ['bce', 'ce']),
    ('hidden', 'categorical', [32, 64, 128]),
    ('n_blocks', 'int', [1, 3], 1),
    ('n_heads', 'categorical', [1, 2, 4]),
    ('dropout', 'float', [0.0, 0.5], 0.05),
    ('learning_rate', 'log', [1e-4, 1e-2]),
    ('max_length', 'categorical', [10, 20, 50]),  # a test prefix has 9 items
    ('batch_size', 'categorical', [64, 128, 256]),
]
# Per trial: at most this many epochs, stopped after SASREC_PATIENCE without a better
# validation MRR; the best epoch is kept, and its count is part of the chosen setting.
SASREC_MAX_EPOCHS = 60
SASREC_PATIENCE = 8


def suggest(trial, space):
    """One setting drawn from ``space`` by an optuna trial (loss-specific parameters only
    for their loss)."""
    setting = {}
    for name, kind, values, *rest in space:
        step = next((r for r in rest if isinstance(r, (int, float))), None)
        loss = next((r for r in rest if isinstance(r, str)), None)
        if loss is not None and setting['loss'] != loss:
            continue
        if kind == 'categorical':
            setting[name] = trial.suggest_categorical(name, values)
        elif kind == 'int':
            setting[name] = trial.suggest_int(name, values[0], values[1], step=step)
        elif kind == 'float':
            setting[name] = round(trial.suggest_float(name, values[0], values[1], step=step), 6)
        elif kind == 'log':
            setting[name] = trial.suggest_float(name, values[0], values[1], log=True)
        else:
            raise ValueError(f'unknown kind {kind!r} for {name}')
    return setting


def describe_space(space):
    """The space in words, for results/peers.md."""
    parts = []
    for name, kind, values, *rest in space:
        step = next((r for r in rest if isinstance(r, (int, float))), None)
        loss = next((r for r in rest if isinstance(r, str)), None)
        if kind == 'categorical':
            text = '{' + ', '.join(map(str, values)) + '}'
        elif kind == 'log':
            text = f'[{values[0]:g}, {values[1]:g}] log-uniform'
        else:
            text = f'[{values[0]}, {values[1]}] step {step}'
        parts.append(f'{name} {text}' + (f' ({loss} only)' if loss else ''))
    return '; '.join(parts)


def gru4rec_setting(drawn):
    """A drawn GRU4Rec setting as ``GRU4Rec``'s constructor arguments plus ``sessions``."""
    setting = dict(drawn)
    setting['layers'] = [setting['layers']]
    embedding = setting.pop('embedding')
    setting['constrained_embedding'] = embedding == 'constrained'
    setting['embedding'] = 'layersize' if embedding == 'layersize' else 0
    return setting


def sasrec_setting(drawn, n_epochs):
    """A drawn SASRec setting trained for ``n_epochs``."""
    return SASRecSetting(**drawn, n_epochs=n_epochs)


def validation_data(dataset, seed=VALIDATION_SEED):
    """The fit users' interactions and the validation users' windows of outer split ``seed``."""
    return fit_and_validation_users(training_users(dataset, seed), seed)


def gru4rec_trial(module, fit, valid, drawn, seed):
    """Validation MRR of one drawn GRU4Rec setting."""
    model = gru4rec_official.fit(module, fit, gru4rec_setting(drawn), seed)
    score = gru4rec_official.scorer(model, valid.num_items)
    return float(sequence_mrr_score(SequenceScorer(score), valid).mean()), {}


def sasrec_trial(fit, valid, drawn, seed):
    """Best validation MRR over the epochs of one drawn SASRec setting, and that epoch."""
    setting = sasrec_setting(drawn, SASREC_MAX_EPOCHS)
    _, scores = fit_sasrec(user_histories(fit), valid.num_items, setting, seed,
                           validate=lambda model: float(
                               sequence_mrr_score(SequenceScorer(model.score), valid).mean()),
                           patience=SASREC_PATIENCE)
    best = int(np.argmax(scores))
    return scores[best], {'n_epochs': best + 1}


def tune(row, dataset, n_trials, gru4rec_module=None, seed=VALIDATION_SEED, log=print):
    """
    Run ``n_trials`` TPE trials for ``row`` ('gru4rec-official' or 'sasrec-tuned') and return
    the record written to results/peers_tuning.json.
    """
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    fit, valid = validation_data(dataset, seed)
    space = GRU4REC_SPACE if row == 'gru4rec-official' else SASREC_SPACE
    trials = []

    def objective(trial):
        drawn = suggest(trial, space)
        start = time.perf_counter()
        try:
            if row == 'gru4rec-official':
                mrr, extra = gru4rec_trial(gru4rec_module, fit, valid, drawn, seed)
            else:
                mrr, extra = sasrec_trial(fit, valid, drawn, seed)
        except FloatingPointError as error:  # a diverged setting scores nothing
            mrr, extra = 0.0, {'error': str(error)}
        trials.append({'number': trial.number, 'setting': {**drawn, **extra},
                       'validation_mrr': mrr, 'seconds': time.perf_counter() - start})
        log(f'{row} trial {trial.number}: validation MRR {mrr:.4f} '
            f'({trials[-1]["seconds"]:.0f} s) {json.dumps(trials[-1]["setting"])}')
        return mrr

    study = optuna.create_study(direction='maximize',
                                sampler=optuna.samplers.TPESampler(seed=seed))
    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    best = max(trials, key=lambda t: t['validation_mrr'])
    described = describe_space(space)
    if row == 'sasrec-tuned':
        described += (f'; epochs: the best of at most {SASREC_MAX_EPOCHS}, stopped after '
                      f'{SASREC_PATIENCE} without a better validation MRR')
    return {'space': described, 'n_trials': n_trials, 'validation_seed': seed,
            'sampler': f'optuna {optuna.__version__} TPESampler(seed={seed})',
            'search_s': time.perf_counter() - start, 'trials': trials,
            'chosen': best['setting'], 'validation_mrr': best['validation_mrr']}


def chosen_setting(row, tuning):
    """
    The setting the runner fits for ``row``, from results/peers_tuning.json's content:
    ``GRU4Rec``'s arguments plus ``sessions``, or ``SASRecSetting``'s fields.
    """
    if row not in tuning:
        raise LookupError(f'{row} has not been tuned: run bash benchmarks/peers.sh --tune {row} first.')
    chosen = dict(tuning[row]['chosen'])
    return gru4rec_setting(chosen) if row == 'gru4rec-official' else chosen
