"""
Check, before you hand it in, that your homework notebook will be graded.

    python check_submission.py recsys_homework.ipynb

It checks that the graded checks (the cells headed ``# Check (N points)``) are all there,
once each, in their places and unchanged: the grader finds them by their ids. It then runs
the notebook top to bottom in a fresh kernel, within the grader's time limits, and prints
the points of each visible check. It exits with 0 when the notebook can be graded, 1 when
it cannot (a check missing or changed, the notebook past the time limit), 2 on bad input.

The grader gives more than these checks: it also runs hidden tests, with a split you have
not seen, and grades the written answers by hand. Passing the visible checks is needed,
not enough.

Automatic grading (GitHub Classroom) runs the notebook once, writing what happened:

    python check_submission.py recsys_homework.ipynb --json checks-result.json

then reads each check from that file, without running anything again (exit 0 when the
check passed):

    python check_submission.py --read checks-result.json check_model_output

``checks.json`` beside this script describes the checks as released: their ids, points and
nbgrader checksums, and the grader's time limits.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RELEASE = HERE / 'checks.json'


def read_json(path, what):
    """The JSON document at ``path``; a clear SystemExit when it cannot be read."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SystemExit(f'{path}: no such file ({what})')
    except (OSError, ValueError) as error:
        raise SystemExit(f'{path}: cannot read {what}: {error}')


def read_notebook(path):
    """The notebook at ``path`` (nbformat 4); a clear SystemExit when it is not one."""
    import nbformat
    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise SystemExit(f'{path}: no such file: give the path of your homework notebook')
    except Exception as error:  # nbformat raises several kinds for a file that is not a notebook
        raise SystemExit(f'{path} is not a Jupyter notebook ({type(error).__name__}: {error}); '
                         'hand in the .ipynb file that Jupyter saved')


def grade_id(cell):
    """The nbgrader id of a notebook cell (a dict), or None."""
    return cell.get('metadata', {}).get('nbgrader', {}).get('grade_id')


def check_problems(notebook, release):
    """What keeps the grader from finding the released checks: a list of sentences."""
    from nbgrader.utils import compute_checksum
    problems, places = [], []
    for check in release['checks']:
        found = [index for index, cell in enumerate(notebook.cells) if grade_id(cell) == check['id']]
        if not found:
            problems.append(f"{check['id']}: the check is missing; copy its cell back from the handout")
            continue
        if len(found) > 1:
            problems.append(f"{check['id']}: the check appears {len(found)} times; keep only the handout's cell")
        cell = notebook.cells[found[0]]
        try:
            unchanged = compute_checksum(cell) == check['checksum']
        except (KeyError, ValueError, TypeError):
            unchanged = False
        if not unchanged:
            problems.append(f"{check['id']}: the check was changed (its code, points or metadata); "
                            "copy its cell back from the handout")
        places.append(found[0])
    if places != sorted(places):
        problems.append('the checks are not in the handout\'s order; move them back after the tasks they check')
    return problems


def run(notebook, path, cell_timeout, notebook_timeout):
    """Execute ``notebook`` in a fresh kernel from its folder; the seconds it took, and
    whether it stayed within ``notebook_timeout``. Where the system has them (not Windows),
    the kernel talks over local sockets in a private folder rather than TCP."""
    from nbclient import NotebookClient
    from traitlets.config import Config
    config = Config()
    sockets = tempfile.TemporaryDirectory(prefix='k') if os.name == 'posix' else None
    if sockets:
        config.KernelManager.transport, config.KernelManager.ip = 'ipc', os.path.join(sockets.name, 'kernel')
    deadline = time.monotonic() + notebook_timeout
    client = NotebookClient(
        notebook, config=config, kernel_name='python3', allow_errors=True, interrupt_on_timeout=True,
        timeout_func=lambda cell: max(1, min(cell_timeout, int(deadline - time.monotonic()))),
        resources={'metadata': {'path': str(Path(path).resolve().parent)}})
    started = time.monotonic()
    try:
        client.execute()
    finally:
        if sockets:
            sockets.cleanup()
    seconds = time.monotonic() - started
    return seconds, seconds <= notebook_timeout


def first_error(cell):
    """A failed cell's error, in one line."""
    for output in cell.get('outputs', []):
        if output.get('output_type') == 'error':
            return f"{output.get('ename')}: {output.get('evalue')}".splitlines()[0][:300]
        if output.get('output_type') == 'stream' and output.get('name') == 'stderr':
            return output.get('text', '').strip().splitlines()[-1][:300] if output.get('text', '').strip() else ''
    return ''


def check_results(notebook, release, problems, in_time):
    """{check id: {points, max_points, message}} after the run."""
    from nbgrader.utils import determine_grade
    broken = {problem.split(':', 1)[0] for problem in problems}
    results = {}
    for check in release['checks']:
        cell = next((cell for cell in notebook.cells if grade_id(cell) == check['id']), None)
        if cell is None or check['id'] in broken:
            results[check['id']] = {'points': 0, 'max_points': check['points'],
                                    'message': 'missing or changed: not graded'}
            continue
        points, _ = determine_grade(cell)
        message = first_error(cell) if points < check['points'] else ''
        if not in_time:
            points, message = 0, 'the notebook ran past the time limit'
        results[check['id']] = {'points': points, 'max_points': check['points'], 'message': message}
    return results


def write_json_atomically(path, document):
    """Write ``document`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f'.{path.name}.', dir=path.parent or '.')
    with os.fdopen(handle, 'w') as stream:
        json.dump(document, stream, indent=1)
    os.replace(temporary, path)


def check(path, release, json_path=None):
    """Check and run the notebook at ``path``; print the report; 0 when gradable, else 1."""
    notebook = read_notebook(path)
    problems = check_problems(notebook, release)
    limits = release['limits']
    print(f'{path}: running it top to bottom in a fresh kernel (the grader allows '
          f"{limits['notebook_timeout']} s, {limits['cell_timeout']} s per cell) ...", flush=True)
    seconds, in_time = run(notebook, path, limits['cell_timeout'], limits['notebook_timeout'])
    if not in_time:
        problems.append(f"the notebook took {seconds:.0f} s, past the grader's {limits['notebook_timeout']} s")
    results = check_results(notebook, release, problems, in_time)
    width = max(len(name) for name in results)
    for name, result in results.items():
        line = f"  {name:<{width}}  {result['points']:g} / {result['max_points']:g}"
        print(line + (f"  {result['message']}" if result['message'] else ''))
    earned = sum(result['points'] for result in results.values())
    possible = sum(result['max_points'] for result in results.values())
    by_hand = ', '.join(f"{item['id']} ({item['points']:g})" for item in release['graded_by_hand'])
    print(f'visible checks: {earned:g} / {possible:g} points, in {seconds:.0f} s; graded by hand: {by_hand}; '
          'the grader also runs hidden tests on another split')
    for problem in problems:
        print(f'NOT GRADABLE AS IS: {problem}')
    if json_path:
        write_json_atomically(json_path, {'notebook': str(path), 'seconds': round(seconds, 1), 'in_time': in_time,
                                          'problems': problems, 'checks': results})
    return 1 if problems else 0


def read_result(json_path, check_id):
    """Print one check's result from a run's JSON; 0 when it passed, else 1."""
    document = read_json(json_path, 'the result of check_submission.py --json')
    if check_id not in document.get('checks', {}):
        known = ', '.join(document.get('checks', {})) or 'none'
        raise SystemExit(f'{check_id}: no such check in {json_path} (checks: {known})')
    result = document['checks'][check_id]
    passed = result['points'] >= result['max_points']
    print(f"{check_id}: {result['points']:g} / {result['max_points']:g}"
          + (f" ({result['message']})" if result['message'] else ''))
    return 0 if passed else 1


def main(argv=None):
    """Check the notebook, or with ``--read`` report one check from a saved run; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('notebook', nargs='?', help='your homework notebook')
    parser.add_argument('--json', help='also write what happened to this file (for automatic grading)')
    parser.add_argument('--read', nargs=2, metavar=('RESULT_JSON', 'CHECK_ID'),
                        help='print one check\'s result from a --json file; exit 0 when it passed')
    args = parser.parse_args(argv)
    if args.read:
        return read_result(*args.read)
    if not args.notebook:
        parser.error('give the notebook to check, e.g. python check_submission.py recsys_homework.ipynb')
    return check(args.notebook, read_json(RELEASE, 'the released checks'), args.json)


if __name__ == '__main__':
    sys.exit(main())
