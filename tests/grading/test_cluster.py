"""
Grading on a Dask cluster (``scripts/grade.py --scheduler``, ``grading.cluster``), on a
``LocalCluster`` of two single-threaded worker processes, started with
``allowed-failures`` 1 (a task whose worker dies is retried once, as the docs advise):

* the default fixtures graded through the scheduler, with one worker killed in the middle of
  the batch, get the same ``grades.csv`` as the local path with the same seed (its run is
  shared with ``test_fixture_submissions.py``: ``conftest.py``), the same gradebook rows,
  reasons and feedback; the killed task was retried on another worker;
* the hostile fixtures get the points ``expected.csv`` gives (``slow_grading``: minutes);
* an address where no scheduler answers fails within 30 s, in one line, before ``--out``
  exists;
* a grading process gets the worker's thread count (the Nanny's, one), not the Nanny's trim
  threshold for the worker's own heap.
"""

import os
import re
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grading.cluster import SchedulerUnreachable, _environment, connect
from scripts import grade
from tests.grading.test_fixture_submissions import (DEFAULT, ESCAPED, EXPECTED, LIMITS, SEED,
                                                    assert_graded_as_expected, gather, read_csv)

HOSTILE = ['infinite_loop', 'memory_bomb', 'huge_output', 'escape', 'not_a_notebook']
GRADING_TASK = 'recsys-grade-'


@pytest.fixture(scope='module')
def cluster():
    import dask
    from distributed import LocalCluster
    with dask.config.set({'distributed.scheduler.allowed-failures': 1}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster:
        yield cluster


def grade_on(cluster, folder, names, during=None):
    """Grade ``names`` through ``cluster``'s scheduler into ``folder / 'graded'``, running
    ``during(client)`` (a second client) beside it; the output folder and what it returned."""
    from distributed import Client
    for path in ESCAPED:
        path.unlink(missing_ok=True)
    out = folder / 'graded'
    arguments = [str(gather(folder / 'submissions', names)), '--out', str(out), '--seed', str(SEED), '--quiet',
                 '--scheduler', cluster.scheduler_address, *LIMITS]
    with ThreadPoolExecutor(1) as thread, Client(cluster, set_as_default=False) as client:
        grading = thread.submit(grade.main, arguments)
        returned = during(client) if during else None
        assert grading.result() == 0
        if returned is not None:
            returned['story'] = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.story(returned['key']))
    return out, returned


def kill_a_busy_worker(client, after=10, timeout=300):
    """SIGKILL the process of the first worker seen executing a grading task for ``after``
    seconds; what was killed: ``worker``, ``key``, ``pid``."""
    seen, deadline = {}, time.monotonic() + timeout
    executing = lambda dask_worker: [str(ts.key) for ts in dask_worker.state.executing]  # noqa: E731
    while time.monotonic() < deadline:
        for worker, keys in client.run(executing).items():
            for key in keys:
                if key.startswith(GRADING_TASK) and time.monotonic() - seen.setdefault(key, time.monotonic()) >= after:
                    pid = client.run(os.getpid, workers=[worker])[worker]
                    os.kill(pid, signal.SIGKILL)
                    return {'worker': worker, 'key': key, 'pid': pid}
        time.sleep(0.5)
    raise AssertionError(f'no grading task ran {after} s on a worker within {timeout} s')


@pytest.fixture(scope='module')
def dask_run(tmp_path_factory, cluster):
    return grade_on(cluster, tmp_path_factory.mktemp('dask'), DEFAULT, during=kill_a_busy_worker)


def gradebook_rows(out):
    """Every submission's student, grades and comments in ``out/gradebook.db``, ids left out."""
    from nbgrader.api import Gradebook
    with Gradebook(f'sqlite:///{out / "gradebook.db"}') as gradebook:
        return {submission.student_id: {
            'timestamp': submission.timestamp,
            'notebooks': {notebook.name: (
                notebook.flagged, notebook.late_submission_penalty,
                sorted((g.name, g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                       for g in notebook.grades),
                sorted((c.name, c.auto_comment, c.manual_comment) for c in notebook.comments))
                for notebook in submission.notebooks}}
            for submission in gradebook.assignment_submissions('recsys_homework')}


def test_grades_through_the_scheduler_are_the_local_paths(dask_run, default_run):
    out, _ = dask_run
    assert (out / 'grades.csv').read_text() == (default_run / 'grades.csv').read_text()
    assert_graded_as_expected(out, DEFAULT)  # the reasons and the feedback pages too
    assert gradebook_rows(out) == gradebook_rows(default_run)
    # The reasons name the kernel's scratch folder: in the course folder here, on the worker there.
    scratch = lambda text: re.sub(r'/[\w/.-]*/scratch-\w+', 'SCRATCH', text)  # noqa: E731
    assert scratch((out / 'reasons.csv').read_text()) == scratch((default_run / 'reasons.csv').read_text())
    for name in DEFAULT:
        assert (out / 'autograded' / name / 'recsys_homework' / 'recsys_homework.ipynb').is_file(), name
        assert (out / '.grading' / 'logs' / f'{name}.log').is_file(), name
    assert not any(path.exists() for path in ESCAPED + [out / '.grading' / 'escaped.txt'])


def test_a_worker_killed_mid_batch_is_retried_elsewhere_and_the_batch_finishes(dask_run):
    import json
    import psutil
    out, killed = dask_run
    assert sorted(row['student_id'] for row in read_csv(out / 'grades.csv')) == sorted(DEFAULT)
    student = killed['key'][len(GRADING_TASK):].rsplit('-', 1)[0]
    record = json.loads((out / 'grading.json').read_text())
    assert record['isolation']['workers'][student] != killed['worker']
    assert record['scheduler'].startswith('tcp://127.0.0.1:')
    print(f'killed {killed["worker"]} (pid {killed["pid"]}) grading {student}; graded again on '
          f'{record["isolation"]["workers"][student]}')
    transitions = [(start, finish) for _, start, finish, *_ in killed['story']]
    assert ('processing', 'released') in transitions  # its worker was lost, and then
    assert [finish for _, finish in transitions].count('processing') == 2, transitions
    assert ('processing', 'memory') in transitions    # it ran to the end on another
    assert EXPECTED[student]['score'] == next(row['score'] for row in read_csv(out / 'grades.csv')
                                              if row['student_id'] == student)
    # The killed worker's grading process died with it (no orphan keeps grading).
    orphans = [process.info for process in psutil.process_iter(['pid', 'ppid', 'cmdline'])
               if process.info['cmdline'] and 'grading.worker' in process.info['cmdline']
               and any(student in part for part in process.info['cmdline'])]
    assert orphans == []


@pytest.mark.slow_grading
def test_the_hostile_submissions_get_their_points_on_the_cluster(tmp_path, cluster):
    out, _ = grade_on(cluster, tmp_path, HOSTILE)
    assert_graded_as_expected(out, HOSTILE)
    assert not any(path.exists() for path in ESCAPED + [out / '.grading' / 'escaped.txt'])


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_an_unreachable_scheduler_fails_within_30_s_in_one_line_before_out_exists(tmp_path, capsys):
    address = f'tcp://127.0.0.1:{free_port()}'
    out = tmp_path / 'graded'
    started = time.monotonic()
    with pytest.raises(SystemExit) as exit:
        grade.main([str(gather(tmp_path / 'submissions', ['not_a_notebook'])), '--out', str(out),
                    '--scheduler', address, '--quiet'])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    print(f'unreachable scheduler: failed after {elapsed:.1f} s')
    assert exit.value.code == 2 and elapsed < 30
    [line] = err.strip().splitlines()
    assert ': error: no Dask scheduler answered at ' + address in line, line
    assert 'check that the scheduler runs' in line
    assert not out.exists()


def test_an_address_that_is_not_a_schedulers_fails_in_time():
    with socket.socket() as silent:  # accepts connections and never answers, as a wrong service might
        silent.bind(('127.0.0.1', 0))
        silent.listen()
        started = time.monotonic()
        with pytest.raises(SchedulerUnreachable, match='no Dask scheduler answered'):
            connect(f'tcp://127.0.0.1:{silent.getsockname()[1]}', timeout=5)
        assert time.monotonic() - started < 10
    for address, message in (('127.0.0.1:8786', 'is not a Dask scheduler address'),
                             ('http://127.0.0.1:8786', 'none of Dask\'s protocols'),
                             ('tcp://127.0.0.1', 'no port')):
        with pytest.raises(SchedulerUnreachable, match=message):
            connect(address)


def test_a_grading_process_gets_the_workers_threads_not_its_heaps_trim_threshold(cluster):
    import dask
    from distributed import Client
    nanny = dask.config.get('distributed.nanny.pre-spawn-environ')
    with Client(cluster, set_as_default=False) as client:
        workers = client.run(lambda: dict(os.environ))
        environments = client.run(_environment)
    for address, environment in environments.items():
        assert workers[address]['MALLOC_TRIM_THRESHOLD_'] == str(nanny['MALLOC_TRIM_THRESHOLD_'])  # what it undoes
        assert 'MALLOC_TRIM_THRESHOLD_' not in environment
        assert environment['OMP_NUM_THREADS'] == workers[address]['OMP_NUM_THREADS'] == '1'


def test_without_a_nanny_the_kernel_gets_the_cpus_and_a_trim_threshold_of_its_own_is_kept(monkeypatch):
    from dask.system import CPU_COUNT
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    monkeypatch.setenv('MALLOC_TRIM_THRESHOLD_', '1048576')
    environment = _environment()
    assert environment['OMP_NUM_THREADS'] == str(CPU_COUNT)  # outside a worker: its CPUs over one thread
    assert environment['MALLOC_TRIM_THRESHOLD_'] == '1048576'
