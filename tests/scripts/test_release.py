"""
The students' release (``scripts/release.py``), tried outside the repository: a clean
virtual environment holding only what the release's ``requirements.txt`` and wheel name
(torch as pinned here), with the project not importable. In it, the notebook's first cell
installs ``spotlight_compat`` (from a package URL, then from the wheel beside the
notebook) without touching torch or numpy; the Classroom workflow's commands, read from its
YAML, give the blank handout no points and the filled one full points. The dependency
floor (``-m release_floor``, run by ``.ci/run``) runs the filled handout with the lowest
versions the wheel declares.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.version import Version

from scripts import release
from tests.fixtures.submissions import build
from tests.helpers import ROOT

PINNED_TORCH = 'torch==2.13.0'  # the CPU build on this machine's disk (requirements.txt's pin)
PROJECT_PACKAGES = ('spotlight_compat', 'recsys_models', 'grading')


@pytest.fixture(scope='module')
def release_folder(tmp_path_factory):
    return release.write_release(tmp_path_factory.mktemp('release') / 'out')


def wheel_of(folder):
    (wheel,) = folder.glob('spotlight_compat-*.whl')
    return wheel


def wheel_requirements(wheel):
    """The wheel's Requires-Dist lines."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith('.dist-info/METADATA'))
        lines = archive.read(metadata).decode().splitlines()
    return [line.split(':', 1)[1].strip() for line in lines if line.startswith('Requires-Dist:')]


def install_cell_source(release_folder):
    """The release notebook's first code cell, which is plain Python."""
    notebook = nbformat.read(str(release_folder / 'recsys_homework.ipynb'), as_version=4)
    return next(cell for cell in notebook.cells if cell.cell_type == 'code').source


# -- the folder ------------------------------------------------------------------------


def test_release_holds_the_students_files_and_the_classroom_template(release_folder):
    top = {path.name for path in release_folder.iterdir()}
    wheel = wheel_of(release_folder).name
    assert top == {'recsys_homework.ipynb', 'requirements.txt', 'README.md', 'check_submission.py', 'checks.json',
                   wheel, 'classroom'}
    classroom = {path.relative_to(release_folder / 'classroom').as_posix()
                 for path in (release_folder / 'classroom').rglob('*') if path.is_file()}
    assert classroom == top - {'classroom'} | {'.github/workflows/classroom.yml'}


def test_the_wheel_is_spotlight_compat_alone_with_ranges(release_folder):
    wheel = wheel_of(release_folder)
    with zipfile.ZipFile(wheel) as archive:
        folders = {name.split('/', 1)[0] for name in archive.namelist()}
    assert folders == {'spotlight_compat', 'spotlight_compat-0.1.0.dist-info'}
    requirements = wheel_requirements(wheel)
    assert requirements and not any('==' in line.split(';')[0] for line in requirements)
    names = {line.split('>=')[0].split(';')[0].strip() for line in requirements}
    assert {'torch', 'numpy'} <= names and not names & {'nbgrader', 'pytest', 'papermill'}
    assert 'h5py>=3.8; extra == "h5py"' in requirements


def test_the_notebooks_first_code_cell_installs_spotlight_compat(release_folder):
    notebook = nbformat.read(str(release_folder / 'recsys_homework.ipynb'), as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == 'code']
    assert 'find_spec(\'spotlight_compat\')' in code[0].source
    assert f"WHEEL = '{wheel_of(release_folder).name}'" in code[0].source
    assert code[1].metadata.get('tags') == ['parameters'] and "README's commands" not in code[1].source
    assert not any(cell.outputs for cell in code)


def test_checks_json_lists_the_visible_checks_with_their_points(release_folder):
    checks = json.loads((release_folder / 'checks.json').read_text())
    assert [(check['id'], check['points']) for check in checks['checks']] == [
        ('check_model_output', 2), ('check_training_curves', 2), ('check_test_rmse', 3),
        ('check_next_item_scores', 1), ('check_next_item_mrr', 3)]
    assert checks['graded_by_hand'] == [{'id': 'weight_decay_answer', 'points': 2}]


def test_the_workflow_grades_each_check_once_from_one_run(release_folder):
    workflow = yaml.safe_load((release_folder / 'classroom' / release.WORKFLOW).read_text())
    steps = workflow['jobs']['run-autograding-tests']['steps']
    graders = [step for step in steps if step.get('uses') == 'education/autograding-command-grader@v1']
    checks = json.loads((release_folder / 'checks.json').read_text())['checks']
    assert [(step['id'], step['with']['max-score']) for step in graders] == [(c['id'], c['points']) for c in checks]
    assert all('--read' in step['with']['command'] for step in graders)  # no grader step runs the notebook
    runs = [step['run'] for step in steps if 'run' in step]
    assert sum('check_submission.py recsys_homework.ipynb' in run for run in runs) == 1
    reporter = steps[-1]
    assert reporter['uses'] == 'education/autograding-grading-reporter@v1'
    assert reporter['with']['runners'].split(',') == [c['id'] for c in checks]


@pytest.mark.parametrize('url, fragment', [
    ('spotlight_compat.whl', 'https://, file:// or git+https://'),
    ('https://example.org/files/other_package-1.0-py3-none-any.whl', 'not of spotlight-compat'),
    ('https://example.org/files/spotlight_compat.exe', 'neither a wheel'),
    ('git+https://github.com/org/course@v1', '#subdirectory=student_release/spotlight-compat'),
    ('not a url at all', 'not a URL pip can install from'),
])
def test_a_package_url_pip_cannot_use_is_refused_and_nothing_is_written(tmp_path, capsys, url, fragment):
    with pytest.raises(SystemExit) as exit:
        release.main([str(tmp_path / 'out'), '--package-url', url])
    assert exit.value.code == 2 and fragment in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('url', [
    'https://github.com/org/course/releases/download/v1/spotlight_compat-0.1.0-py3-none-any.whl',
    'git+https://github.com/org/course@v1#subdirectory=student_release/spotlight-compat'])
def test_a_usable_package_url_is_accepted(url):
    assert release.check_package_url(url) == url


def test_a_folder_that_is_not_empty_is_kept_unless_forced(tmp_path, capsys):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'notes.txt').write_text('mine')
    with pytest.raises(SystemExit) as exit:
        release.main([str(out)])
    assert exit.value.code == 2 and 'add --force' in capsys.readouterr().err
    assert [path.name for path in out.iterdir()] == ['notes.txt']
    release.main([str(out), '--force'])
    assert (out / 'recsys_homework.ipynb').is_file() and not (out / 'notes.txt').exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ['out']  # no staging folder left


def test_a_failed_release_leaves_nothing(tmp_path, monkeypatch):
    def fails(*args):
        raise RuntimeError('nbgrader failed')
    monkeypatch.setattr(release, 'release_notebook', fails)
    with pytest.raises(RuntimeError, match='nbgrader failed'):
        release.write_release(tmp_path / 'out')
    assert list(tmp_path.iterdir()) == []


def test_the_install_cell_says_what_to_do_in_one_line_without_wheel_or_network(release_folder, tmp_path):
    """In a bare virtual environment (no spotlight_compat): no wheel beside the notebook and
    no package URL; then a package URL that cannot be reached."""
    subprocess.run([sys.executable, '-m', 'venv', str(tmp_path / 'bare')], check=True)
    python = str(tmp_path / 'bare' / 'bin' / 'python')
    source = install_cell_source(release_folder)
    unreachable = source.replace('PACKAGE_URL = None',
                                 "PACKAGE_URL = 'https://localhost:9/spotlight_compat-0.1.0-py3-none-any.whl'")
    for cell, expected in ((source, 'is not beside this notebook: put the wheel'),
                           (unreachable, 'pip could not install spotlight_compat from https://localhost:9/')):
        result = subprocess.run([python, '-c', cell], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        last = result.stderr.strip().splitlines()[-1]
        assert result.returncode == 1 and last.startswith('RuntimeError: ') and expected in last, result.stderr
        assert 'run this cell again' in last


# -- a clean virtual environment -----------------------------------------------------------


def make_student_venv(folder, release_folder, constraints=None):
    """A venv holding what the release's requirements.txt names and torch as pinned here."""
    subprocess.run([sys.executable, '-m', 'venv', str(folder)], check=True)
    command = [str(folder / 'bin' / 'python'), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
               PINNED_TORCH, '-r', str(release_folder / 'requirements.txt')]
    if constraints:
        command += ['--constraint', str(constraints)]
    subprocess.run(command, check=True, timeout=1200)
    return folder


def venv_environment(venv):
    """The environment a command runs in: the venv's interpreter first on PATH, this
    project nowhere on the module path."""
    environment = {name: value for name, value in os.environ.items()
                   if name not in ('PYTHONPATH', 'VIRTUAL_ENV', 'PYTHONHOME')}
    environment['PATH'] = os.pathsep.join([str(venv / 'bin'), environment.get('PATH', '')])
    return environment


def installed_versions(venv, names=('torch', 'numpy', 'spotlight-compat')):
    code = ('import importlib.metadata as m, json, sys\n'
            'print(json.dumps({n: (m.version(n) if n in {d.metadata["Name"].lower() for d in m.distributions()} '
            'else None) for n in sys.argv[1:]}))')
    result = subprocess.run([str(venv / 'bin' / 'python'), '-c', code, *names], capture_output=True, text=True,
                            check=True, env=venv_environment(venv), cwd=venv)
    return json.loads(result.stdout)


def run_workflow(classroom, venv):
    """The workflow's commands, as its YAML gives them, in ``classroom`` with the venv's
    Python (the install step is left out: the venv stands for it). The points earned and
    the points possible."""
    workflow = yaml.safe_load((classroom / release.WORKFLOW).read_text())
    earned = possible = 0
    for step in workflow['jobs']['run-autograding-tests']['steps']:
        if step.get('id') == 'install':
            continue
        if 'run' in step:
            subprocess.run(step['run'], shell=True, cwd=classroom, env=venv_environment(venv), check=True,
                           timeout=1800)
        elif step.get('uses') == 'education/autograding-command-grader@v1':
            result = subprocess.run(step['with']['command'], shell=True, cwd=classroom, env=venv_environment(venv),
                                    timeout=60 * step['with']['timeout'])
            possible += step['with']['max-score']
            earned += step['with']['max-score'] if result.returncode == 0 else 0
    return earned, possible


def classroom_with(release_folder, folder, notebook=None):
    """A student's repository made from the Classroom template, with ``notebook`` handed in."""
    shutil.copytree(release_folder / 'classroom', folder)
    if notebook is not None:
        nbformat.write(notebook, str(folder / release.NOTEBOOK))
    return folder


def filled_handout(release_folder):
    """The release's notebook with the solution's regions filled in (the fixtures' way)."""
    handout = nbformat.read(str(release_folder / 'recsys_homework.ipynb'), as_version=4)
    solution = nbformat.read(str(ROOT / 'recsys_homework.ipynb'), as_version=4)
    return build.answered(handout, solution)


@pytest.fixture(scope='module')
def student_venv(tmp_path_factory, release_folder):
    venv = make_student_venv(tmp_path_factory.mktemp('student') / 'venv', release_folder)
    environment = venv_environment(venv)
    for package in PROJECT_PACKAGES:
        probe = subprocess.run([str(venv / 'bin' / 'python'), '-c', f'import {package}'], env=environment,
                               cwd=venv, capture_output=True, text=True)
        assert probe.returncode != 0, f'{package} must not be importable before the notebook installs it'
    return venv


@pytest.mark.network
def test_the_install_cell_installs_from_the_package_url_and_keeps_torch_and_numpy(release_folder, student_venv,
                                                                                  tmp_path):
    before = installed_versions(student_venv)
    assert before['spotlight-compat'] is None
    wheel = shutil.copy(wheel_of(release_folder), tmp_path / wheel_of(release_folder).name)
    colab = tmp_path / 'content'  # a notebook's folder without the wheel, as on Colab
    colab.mkdir()
    source = install_cell_source(release_folder).replace('PACKAGE_URL = None',
                                                         f'PACKAGE_URL = {Path(wheel).as_uri()!r}')
    python = str(student_venv / 'bin' / 'python')
    result = subprocess.run([python, '-c', source], cwd=colab, env=venv_environment(student_venv),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('spotlight_compat 0.1.0 installed from file://')
    after = installed_versions(student_venv)
    assert after['spotlight-compat'] == '0.1.0' and (after['torch'], after['numpy']) == (before['torch'],
                                                                                          before['numpy'])
    again = subprocess.run([python, '-c', source], cwd=colab, env=venv_environment(student_venv),
                           capture_output=True, text=True, timeout=60)
    assert again.stdout.startswith('spotlight_compat 0.1.0 is installed: nothing to do.')
    subprocess.run([python, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'spotlight-compat'], check=True)


@pytest.mark.network
def test_the_blank_handout_runs_and_its_checks_fail_with_their_messages(release_folder, student_venv, tmp_path):
    before = installed_versions(student_venv)
    classroom = classroom_with(release_folder, tmp_path / 'blank')
    assert run_workflow(classroom, student_venv) == (0, 11)
    result = json.loads((classroom / release.RESULT_JSON).read_text())
    assert result['problems'] == [] and result['in_time']
    messages = {name: check['message'] for name, check in result['checks'].items()}
    assert messages['check_model_output'].startswith('AssertionError: the model has no parameters')
    assert messages['check_next_item_mrr'].startswith('AssertionError: name your model next_item_model')
    assert all(message.startswith('AssertionError: ') for message in messages.values())
    after = installed_versions(student_venv)  # the first cell installed the wheel beside the notebook
    assert after['spotlight-compat'] == '0.1.0' and (after['torch'], after['numpy']) == (before['torch'],
                                                                                          before['numpy'])


@pytest.mark.network
def test_the_filled_handout_gets_every_visible_point(release_folder, student_venv, tmp_path):
    classroom = classroom_with(release_folder, tmp_path / 'filled', filled_handout(release_folder))
    assert run_workflow(classroom, student_venv) == (11, 11)


@pytest.mark.network
def test_check_submission_refuses_a_notebook_whose_checks_were_changed(release_folder, student_venv, tmp_path):
    notebook = nbformat.read(str(release_folder / 'recsys_homework.ipynb'), as_version=4)
    build.cell_by_id(notebook, 'check_test_rmse').source = 'assert True'
    notebook.cells.remove(build.cell_by_id(notebook, 'check_next_item_scores'))
    folder = classroom_with(release_folder, tmp_path / 'changed', notebook)
    result = subprocess.run([str(student_venv / 'bin' / 'python'), 'check_submission.py', release.NOTEBOOK],
                            cwd=folder, env=venv_environment(student_venv), capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'NOT GRADABLE AS IS: check_test_rmse: the check was changed' in result.stdout
    assert 'NOT GRADABLE AS IS: check_next_item_scores: the check is missing' in result.stdout
    assert 'visible checks: 0 / 11 points' in result.stdout


# -- the dependency floor ------------------------------------------------------------------


def floor_constraints(wheel):
    """``name==lowest`` for every dependency the wheel declares with ``>=`` (extras aside),
    torch excepted: the only torch build this machine installs is the pinned one (PINNED_TORCH)."""
    lines = []
    for requirement in wheel_requirements(wheel):
        name, _, lowest = requirement.partition('>=')
        if lowest and ';' not in lowest and name.strip() != 'torch':
            lines.append(f'{name.strip()}=={lowest.strip()}')
    return lines


@pytest.mark.release_floor
def test_the_filled_handout_runs_with_the_lowest_versions_the_wheel_declares(release_folder, tmp_path):
    wheel = wheel_of(release_folder)
    constraints = tmp_path / 'floor.txt'
    constraints.write_text('\n'.join(floor_constraints(wheel)) + '\n')
    venv = make_student_venv(tmp_path / 'venv', release_folder, constraints)
    subprocess.run([str(venv / 'bin' / 'python'), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
                    str(wheel), '--constraint', str(constraints)], check=True, timeout=600)
    versions = installed_versions(venv, [line.split('==')[0] for line in floor_constraints(wheel)] + ['torch'])
    assert all(versions[name] is not None and Version(versions[name]) == Version(lowest)
               for name, lowest in (line.split('==') for line in floor_constraints(wheel))), versions
    classroom = classroom_with(release_folder, tmp_path / 'filled', filled_handout(release_folder))
    print('lowest versions:', json.dumps(versions))
    assert run_workflow(classroom, venv) == (11, 11)
