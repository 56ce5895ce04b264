"""
Write the students' release: a folder an instructor hands out as it is.

    python scripts/release.py OUT [--package-url URL] [--force]

OUT holds:

* ``recsys_homework.ipynb``: the handout (``scripts/make_handout.py``), its first code cell
  one that makes ``import spotlight_compat`` work wherever it runs: nothing to do where the
  package is installed; the wheel beside the notebook (a JupyterHub, a laptop, offline);
  ``--package-url`` on Colab (a release asset or ``git+https://...@TAG#subdirectory=...``).
  It never replaces the torch or numpy installed.
* ``spotlight_compat-VERSION-py3-none-any.whl``: ``spotlight_compat`` alone, with version
  ranges (``student_release/spotlight-compat/pyproject.toml``); no grading code.
* ``requirements.txt``, ``README.md``: what else the notebook needs; how to open it, check
  it and hand it in.
* ``check_submission.py``, ``checks.json``: the check students run before they hand in (the
  checks intact, a run top to bottom within the grader's time limit, the visible checks'
  points).
* ``classroom/``: a GitHub Classroom template: the same files and
  ``.github/workflows/classroom.yml``, which runs the notebook once, then grades each
  visible check from that run with its points.

OUT is written whole or not at all: in a temporary folder beside it, renamed at the end.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from grading.course import Limits, generate_handout

ROOT = Path(__file__).resolve().parent.parent
STUDENT_FILES = ROOT / 'student_release'
DISTRIBUTION = STUDENT_FILES / 'spotlight-compat'
SOLUTION = ROOT / 'recsys_homework.ipynb'
NOTEBOOK = 'recsys_homework.ipynb'
WORKFLOW = Path('.github') / 'workflows' / 'classroom.yml'
RESULT_JSON = 'checks-result.json'
PARAMETERS_NOTE = ("# Install the packages with the README's commands (not `pip install spotlight`: on PyPI\n"
                   "# that name is an unrelated library; this project ships spotlight_compat instead).\n")


def check_package_url(url):
    """
    ``url`` when pip can install the students' package from it, else a ``ValueError`` that
    says what to give instead: an http(s) or file URL of a ``spotlight_compat`` wheel or
    source archive, or a ``git+https://`` (``git+ssh://``, ``git+file://``) URL whose
    ``#subdirectory=`` names the package's folder.
    """
    folder = DISTRIBUTION.relative_to(ROOT).as_posix()
    try:
        Requirement(f'spotlight-compat @ {url}')
    except InvalidRequirement as error:
        raise ValueError(f'--package-url {url!r} is not a URL pip can install from ({error}); give a wheel\'s URL '
                         f'or git+https://HOST/REPO@TAG#subdirectory={folder}') from None
    scheme = url.split('://', 1)[0] if '://' in url else ''
    if scheme in ('git+https', 'git+ssh', 'git+file'):
        if f'subdirectory={folder}' not in url:
            raise ValueError(f'--package-url {url!r}: the repository\'s root is the whole course project; '
                             f'add #subdirectory={folder} to install spotlight_compat alone')
        return url
    if scheme not in ('https', 'http', 'file'):
        raise ValueError(f'--package-url {url!r}: pip needs an https://, file:// or git+https:// URL')
    name = url.split('#', 1)[0].split('?', 1)[0].rstrip('/').rsplit('/', 1)[-1]
    if name.endswith('.whl'):
        try:
            project = parse_wheel_filename(name)[0]
        except InvalidWheelFilename as error:
            raise ValueError(f'--package-url {url!r}: {error}') from None
        if project != 'spotlight-compat':
            raise ValueError(f'--package-url {url!r} is a wheel of {project}, not of spotlight-compat')
    elif not name.endswith(('.tar.gz', '.zip')):
        raise ValueError(f'--package-url {url!r} names neither a wheel (.whl) nor a source archive '
                         '(.tar.gz, .zip): pip cannot install it')
    return url


def build_wheel(destination):
    """Build the ``spotlight_compat`` wheel into ``destination``; its path."""
    with tempfile.TemporaryDirectory(prefix='spotlight-compat-') as scratch:
        source = Path(scratch) / 'spotlight-compat'
        shutil.copytree(DISTRIBUTION, source, ignore=shutil.ignore_patterns('__pycache__', '*.pyc', 'build',
                                                                             '*.egg-info'))
        result = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps', '--no-build-isolation',
                                 '--disable-pip-version-check', '--wheel-dir', str(destination), str(source)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError('building the spotlight_compat wheel failed:\n' + result.stderr[-2000:])
    wheels = sorted(Path(destination).glob('spotlight_compat-*.whl'))
    if len(wheels) != 1:
        raise RuntimeError(f'building the spotlight_compat wheel left {len(wheels)} wheels in {destination}')
    return wheels[0]


def install_cell(wheel_name, package_url):
    """The release's first code cell, with the wheel's name and the package URL filled in."""
    source = (STUDENT_FILES / 'install_cell.py').read_text()
    for name, value in (('WHEEL', wheel_name), ('PACKAGE_URL', package_url)):
        old = f'{name} = None'
        if source.count(old) != 1:
            raise RuntimeError(f'student_release/install_cell.py must assign {old} once')
        if value is not None:
            source = source.replace(old, f'{name} = {value!r}')
    cell = new_code_cell(source.rstrip('\n'))
    cell.metadata['tags'] = ['install']
    cell['id'] = 'install-spotlight-compat'
    return cell


def release_notebook(solution, wheel_name, package_url):
    """The handout (nbgrader's release of ``solution``) with the install cell first."""
    notebook = generate_handout(solution)
    code = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == 'code']
    parameters = notebook.cells[code[0]]
    if not parameters.source.startswith(PARAMETERS_NOTE):
        raise RuntimeError('the handout\'s parameters cell no longer starts with the note on installing: '
                           'update PARAMETERS_NOTE in scripts/release.py')
    parameters.source = parameters.source[len(PARAMETERS_NOTE):]
    notebook.cells.insert(code[0], install_cell(wheel_name, package_url))
    nbformat.validate(notebook)
    return notebook


def released_checks(notebook, limits=Limits()):
    """What ``checks.json`` holds: the visible checks (id, points, nbgrader checksum) in
    order, the answers graded by hand, and the grader's time limits."""
    graded = [cell.metadata.nbgrader for cell in notebook.cells if cell.metadata.get('nbgrader', {}).get('grade')]
    return {'notebook': NOTEBOOK,
            'limits': {'cell_timeout': limits.cell_timeout, 'notebook_timeout': limits.notebook_timeout},
            'checks': [{'id': cell['grade_id'], 'points': cell['points'], 'checksum': cell['checksum']}
                       for cell in graded if cell.get('locked') and not cell.get('solution')],
            'graded_by_hand': [{'id': cell['grade_id'], 'points': cell['points']}
                               for cell in graded if cell.get('solution')]}


def classroom_workflow(checks):
    """``.github/workflows/classroom.yml``: install, run the notebook once, then one
    autograding-command-grader step per visible check (reading that run), then the reporter."""
    steps = [
        '      - name: Check out the repository\n        uses: actions/checkout@v4',
        "      - name: Set up Python\n        uses: actions/setup-python@v5\n        with:\n"
        "          python-version: '3.11'",
        '      - name: Install the packages (torch as a CPU build, the rest from requirements.txt)\n'
        '        id: install\n        run: |\n'
        '          python -m pip install torch --index-url https://download.pytorch.org/whl/cpu\n'
        '          python -m pip install -r requirements.txt',
        '      - name: Run the notebook once\n        id: run-notebook\n'
        f'        run: python check_submission.py {NOTEBOOK} --json {RESULT_JSON} || true',
    ]
    for check in checks['checks']:
        steps.append(
            f"      - name: {check['id']}\n        id: {check['id']}\n"
            '        uses: education/autograding-command-grader@v1\n        with:\n'
            f"          test-name: {check['id']}\n"
            f"          command: python check_submission.py --read {RESULT_JSON} {check['id']}\n"
            f"          timeout: 1\n          max-score: {check['points']}")
    results = ''.join(f"          {check['id'].upper()}_RESULTS: \"${{{{steps.{check['id']}.outputs.result}}}}\"\n"
                      for check in checks['checks'])
    steps.append('      - name: Autograding Reporter\n        uses: education/autograding-grading-reporter@v1\n'
                 f'        env:\n{results}        with:\n'
                 f"          runners: {','.join(check['id'] for check in checks['checks'])}")
    return ('# GitHub Classroom autograding of the homework, written by the course\'s release script.\n'
            '# The notebook runs once (check_submission.py); each check\'s step then reads that run\'s\n'
            '# result, with the check\'s nbgrader points. The hidden tests and the answers graded by hand\n'
            '# are the instructor\'s grader\'s (scripts/grade.py), not this workflow\'s.\n'
            'name: Autograding Tests\n"on": [push, workflow_dispatch, repository_dispatch]\n'
            'permissions:\n  checks: write\n  actions: read\n  contents: read\n'
            'jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n'
            "    if: github.actor != 'github-classroom[bot]'\n    steps:\n" + '\n'.join(steps) + '\n')


def write_student_files(folder, notebook, wheel, checks):
    """The files students receive, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(folder / NOTEBOOK))
    if wheel.parent != folder:
        shutil.copy(wheel, folder / wheel.name)
    for name in ('README.md', 'requirements.txt', 'check_submission.py'):
        shutil.copy(STUDENT_FILES / name, folder / name)
    (folder / 'checks.json').write_text(json.dumps(checks, indent=1) + '\n')


def write_release(out, package_url=None, force=False, solution=SOLUTION):
    """
    Write the students' release into the folder ``out`` (see the module); returns ``out``.

    Raises
    ------
    ValueError
        When ``out`` exists and is not an empty folder (unless ``force``), or pip cannot use
        ``package_url``.
    """
    out = Path(out).absolute()
    if package_url is not None:
        check_package_url(package_url)
    if out.exists() and not out.is_dir():
        raise ValueError(f'{out} exists and is not a folder: choose another OUT')
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ValueError(f'{out} exists and is not empty: choose another OUT, or add --force to replace it')
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f'.{out.name}-', dir=out.parent))
    try:
        wheel = build_wheel(staging)
        notebook = release_notebook(nbformat.read(str(solution), as_version=4), wheel.name, package_url)
        checks = released_checks(notebook)
        write_student_files(staging, notebook, wheel, checks)
        write_student_files(staging / 'classroom', notebook, wheel, checks)
        (staging / 'classroom' / WORKFLOW).parent.mkdir(parents=True)
        (staging / 'classroom' / WORKFLOW).write_text(classroom_workflow(checks))
        _replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _replace_folder(staging, out):
    """Rename ``staging`` to ``out``, replacing what ``out`` held only once it is in place."""
    previous = None
    if out.exists():
        previous = out.with_name(f'.{out.name}-previous-{staging.name}')
        out.rename(previous)
    staging.rename(out)
    if previous is not None:
        shutil.rmtree(previous)


def main(argv=None):
    """Write the release into OUT and list its files; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out', help='a new (or empty) folder for the release')
    parser.add_argument('--package-url', help='where the notebook installs spotlight_compat from on Colab: a '
                        'wheel\'s URL or git+https://HOST/REPO@TAG#subdirectory=student_release/spotlight-compat')
    parser.add_argument('--force', action='store_true', help='replace OUT when it is not empty')
    args = parser.parse_args(argv)
    try:
        out = write_release(args.out, args.package_url, args.force)
    except ValueError as error:
        parser.error(str(error))
    files = sorted(path.relative_to(out).as_posix() for path in out.rglob('*') if path.is_file())
    print(f'{out}: {len(files)} files')
    for name in files:
        print(f'  {name}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
