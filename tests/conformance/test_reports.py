"""tools.spotlight_conformance: the timing verdicts, the reports' recorded commands naming
placeholders rather than this machine's paths, and their machine line flagging a shared machine."""

import os
from pathlib import Path

from tests.helpers import ROOT


def test_against_spotlight_calls_a_step_faster_or_slower_only_when_the_ranges_separate():
    from tools.spotlight_conformance import timing

    def runs(*seconds):
        return [{'cpu': value, 'wall': value} for value in seconds]

    assert timing.verdict(runs(2.0, 3.0, 4.0), runs(1.0, 1.5, 1.2)) == '2.50x, faster'
    assert timing.verdict(runs(1.0, 1.5), runs(2.0, 3.0)).endswith(', slower')
    assert timing.verdict(runs(1.0, 2.0, 3.0), runs(1.5, 2.5)).endswith(
        'the same within the run-to-run spread')


def test_recorded_commands_name_placeholders_not_this_machines_paths(tmp_path):
    from argparse import Namespace

    from benchmarks.machine import recorded_command
    from tools.spotlight_conformance import examples as spotlight_examples
    from tools.spotlight_conformance import suite as spotlight_conformance
    from tools.spotlight_conformance import timing
    machine = Path('/tmp/x')  # a checkout, interpreter or folder of the machine that ran it
    assert recorded_command(['python', '-m', 'benchmarks.peers', '--tune', 'gru4rec-official',
                             '--gru4rec-src', machine / 'gru4rec', f'--results-dir={machine}/out']) == (
        'python -m benchmarks.peers --tune gru4rec-official --gru4rec-src GRU4REC_SRC --results-dir=DIR')
    timing.write_report(tmp_path / 'against.md', Namespace(
        original_python=str(machine / 'bin/python'), sizes=['1M'], runs=3, short_runs=15), {}, [1.0], 0.0, 1.0)
    ours, original = str(ROOT / '.venv/bin/python'), str(machine / 'bin/python')
    spotlight_conformance.write_report(tmp_path / 'conformance.md', machine / 'spotlight', [],
                                       {'compat': {}, 'original': {}}, ours, original, '0.00')
    command = spotlight_conformance.examples_command(Namespace(
        checkout=machine / 'spotlight', original=True, example_path=machine / 'site', examples_only=True))
    examples = '\n'.join(spotlight_examples.section(
        [], {'compat': '/usr/bin/python3', 'original': original}, command, machine / 'site', '0.00', ''))
    against, conformance = (tmp_path / 'against.md').read_text(), (tmp_path / 'conformance.md').read_text()
    assert ('`python -m tools.spotlight_conformance.timing --original-python ORIGINAL_PYTHON --sizes 1M --runs 3 '
            '--short-runs 15`') in against
    assert '`python -m tools.spotlight_conformance.suite SPOTLIGHT_SRC --original`' in conformance
    assert 'Interpreters: `.venv/bin/python` (compat), `ORIGINAL_PYTHON` (original)' in conformance
    assert ('`python -m tools.spotlight_conformance.suite SPOTLIGHT_SRC --original --example-path DIR '
            '--examples-only`') in examples
    assert 'Interpreters: `PYTHON` (compat), `ORIGINAL_PYTHON` (original)' in examples
    for text in (against, conformance, examples):
        assert '/tmp/' not in text and '/usr/' not in text and str(ROOT) not in text


def test_the_machine_line_flags_a_shared_machine_not_the_runs_own_parallel_load():
    from benchmarks.machine import machine_line
    cores = os.cpu_count()
    assert 'shared with other jobs' not in machine_line(0.1, cores)
    assert 'shared with other jobs' in machine_line(cores + 0.5, 0.1)
    assert 'shared with other jobs' in machine_line(0.1, cores + 0.5)
    line = machine_line(0.1, cores + 1.5, own_processes=2)
    assert 'shared with other jobs' not in line and "the run's own 2 parallel processes included" in line
    assert 'shared with other jobs' in machine_line(0.1, cores + 2.5, own_processes=2)
