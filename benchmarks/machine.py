"""
What the results files record about a run: the machine and its load, and the command line
with placeholders in place of this machine's paths.
"""

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a recorded command holds in place of a path-valued option's value: a machine's paths
# mean nothing elsewhere (benchmarks/README.md says what each placeholder stands for).
PLACEHOLDERS = {'--original-python': 'ORIGINAL_PYTHON', '--gru4rec-src': 'GRU4REC_SRC',
                '--example-path': 'DIR', '--results-dir': 'DIR', '--output-dir': 'DIR'}


def load_average():
    """The 1-minute load average now."""
    return os.getloadavg()[0]


def load_averages():
    """The 1-, 5- and 15-minute load averages now, as text ('0.52, 0.61, 0.70')."""
    return ', '.join(f'{value:.2f}' for value in os.getloadavg())


def machine_line(load_start, load_end=None, own_processes=0):
    """
    The machine in words, for a results file: processor, cores, Python, torch, and the
    1-minute load average at the start (``load_start``) and end (``load_end``, default now)
    of the run, flagged when it exceeded the cores (the times are then inflated); a run that
    ends with ``own_processes`` processes of its own busy (a parallel part) counts them in
    the end's load.
    """
    load_end = load_average() if load_end is None else load_end
    cores = os.cpu_count()
    try:
        torch = f', torch {version("torch")} (CPU)'
    except PackageNotFoundError:
        torch = ''
    shared = load_start > cores or load_end > cores + own_processes
    return (f'{platform.processor() or platform.machine()}, {cores} cores, Python '
            f'{platform.python_version()}{torch}; 1-minute load average {load_start:.1f} at the '
            f'start and {load_end:.1f} at the end of the run'
            + (f', the run\'s own {own_processes} parallel processes included' if own_processes else '')
            + (' (the machine was shared with other jobs, so times are inflated)' if shared else ''))


def recorded_command(words, paths=None):
    """
    The command line ``words`` as the results files record it, naming none of this machine's
    paths: the value of an option of ``PLACEHOLDERS`` (``--gru4rec-src PATH`` or
    ``--gru4rec-src=PATH``) becomes the option's placeholder; any other absolute path inside
    this repository (the project's interpreter) is written relative to the repository; a word
    equal to a key of ``paths`` (a positional path, e.g. ``{checkout: 'SPOTLIGHT_SRC'}``)
    becomes its value.

    Examples
    --------
    >>> recorded_command(['python', '-m', 'benchmarks.peers', '--gru4rec-src', '/tmp/g'])
    'python -m benchmarks.peers --gru4rec-src GRU4REC_SRC'
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
