"""
The grader's parts that need no kernel: the verdicts computed from exported predictions,
the exports themselves, the grading key, the kernel's read/write rules, reading the
submissions and the grades table.
"""

import json

import nbformat
import numpy as np
import pytest
import torch
from nbformat.v4 import new_code_cell, new_notebook

from grading import hidden, scoring, submissions
from grading.key import load_key, make_key, save_key
from grading.sandbox import Policy


def key(n_pairs=6, n_sequences=4, num_items=5, baseline=1.0):
    rng = np.random.RandomState(0)
    return {'seed': 7, 'test_pairs': np.column_stack((np.arange(n_pairs), np.arange(n_pairs) + 1)),
            'test_ratings': rng.randint(1, 6, n_pairs).astype(float), 'baseline_rmse': baseline,
            'test_sequences': rng.randint(1, num_items, (n_sequences, 3)), 'num_items': num_items}


def export(folder, name, **arrays):
    np.savez(folder / name, **arrays)


def test_rmse_is_computed_here_from_the_exported_predictions(tmp_path):
    grading_key = key()
    pairs, ratings = grading_key['test_pairs'], grading_key['test_ratings']
    export(tmp_path, hidden.RATINGS_FILE, pairs=pairs, predictions=ratings + 0.9)
    verdicts = scoring.score_exports(tmp_path, grading_key)
    assert verdicts['check_model_output'].passed and verdicts['check_test_rmse'].passed
    assert 'test RMSE 0.9000' in verdicts['check_test_rmse'].reason
    export(tmp_path, hidden.RATINGS_FILE, pairs=pairs, predictions=ratings + 1)
    verdict = scoring.score_exports(tmp_path, grading_key)['check_test_rmse']
    assert not verdict.passed and 'must be below the spotlight baseline, 1.0000' in verdict.reason


@pytest.mark.parametrize('change, passes_shape, reason', [
    (lambda k, p: (k['test_pairs'][::-1], p), True, 'another X_test'),
    (lambda k, p: (k['test_pairs'], p[:-1]), False, 'one rating per test row (6)'),
    (lambda k, p: (k['test_pairs'], np.where(np.arange(len(p)) == 2, np.nan, p)), False, 'NaN or infinite'),
    (lambda k, p: (k['test_pairs'], k['test_ratings']), True, 'no model reaches'),
])
def test_predictions_for_another_split_malformed_or_leaked_fail(tmp_path, change, passes_shape, reason):
    grading_key = key()
    pairs, predictions = change(grading_key, grading_key['test_ratings'] + 0.9)
    export(tmp_path, hidden.RATINGS_FILE, pairs=pairs, predictions=predictions)
    verdicts = scoring.score_exports(tmp_path, grading_key)
    assert verdicts['check_model_output'].passed is passes_shape
    assert not verdicts['check_test_rmse'].passed and reason in verdicts['check_test_rmse'].reason


def test_missing_exports_fail_every_task_with_a_reason(tmp_path):
    verdicts = scoring.score_exports(tmp_path, key())
    assert not any(verdict.passed for verdict in verdicts.values())
    assert 'exported no predictions' in verdicts['check_test_rmse'].reason
    assert 'no training curves' in verdicts['check_training_curves'].reason
    assert 'no next-item scores' in verdicts['check_next_item_mrr'].reason


def test_the_curves_must_end_at_the_models_own_test_rmse(tmp_path):
    curves = [{'train': 1.0, 'test': 1.0}, {'train': 0.9, 'test': 0.95}]
    assert scoring.curves_verdict(curves, 0.96).passed
    made_up = scoring.curves_verdict(curves, 3.7)
    assert not made_up.passed and "is not the model's, 3.7000" in made_up.reason
    assert not scoring.curves_verdict([], 0.95).passed
    assert not scoring.curves_verdict(curves, None).passed


def test_mrr_is_computed_here_from_the_exported_scores(tmp_path):
    grading_key = key()
    sequences = grading_key['test_sequences']
    scores = np.zeros((len(sequences), grading_key['num_items']), dtype=np.float32)
    scores[np.arange(len(sequences)), sequences[:, -1]] = 1  # every target ranked first: MRR 1
    export(tmp_path, hidden.NEXT_ITEMS_FILE, prefixes=sequences[:, :-1], scores=scores)
    verdicts = scoring.score_exports(tmp_path, grading_key)
    assert verdicts['check_next_item_scores'].passed
    leaked = verdicts['check_next_item_mrr']
    assert not leaked.passed and 'no model reaches' in leaked.reason
    assert scoring.mrr_verdict(0.05).passed and not scoring.mrr_verdict(0.039).passed


def test_the_hidden_tests_write_only_when_grading(tmp_path, monkeypatch):
    model = torch.nn.Linear(2, 1)
    rows = torch.LongTensor([[1, 2], [3, 4], [5, 6]])
    flat = lambda x: model(x.float()).squeeze(1)  # noqa: E731
    monkeypatch.delenv(hidden.EXPORT_VARIABLE, raising=False)
    hidden.export_ratings(flat, rows)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv(hidden.EXPORT_VARIABLE, str(tmp_path / 'exports'))
    hidden.export_ratings(flat, rows)
    hidden.export_training_curves([{'train': torch.tensor(1.5), 'test': 1.6}])
    with np.load(tmp_path / 'exports' / hidden.RATINGS_FILE) as saved:
        np.testing.assert_array_equal(saved['pairs'], rows.numpy())
        assert saved['predictions'].shape == (3,)
    assert json.loads((tmp_path / 'exports' / hidden.CURVES_FILE).read_text()) == [{'train': 1.5, 'test': 1.6}]


def test_the_hidden_tests_say_what_is_wrong_with_the_model():
    rows = torch.LongTensor([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match='got NoneType'):
        hidden.export_ratings(lambda x: None, rows)
    with pytest.raises(ValueError, match=r'one rating per row: shape \(2,\), got \(2, 1\)'):
        hidden.export_ratings(lambda x: torch.zeros(2, 1), rows)
    with pytest.raises(ValueError, match="{'train': rmse, 'test': rmse}"):
        hidden.export_training_curves([(1.0, 2.0)])

    class Sequences:
        sequences, num_items = np.ones((3, 4), dtype=int), 6

    class Scorer:
        def predict(self, sequence):
            return ['high'] * 6

    with pytest.raises(ValueError, match='must return numbers'):
        hidden.export_next_item_scores(Scorer(), Sequences())
    for wrong, shape in ((np.zeros(5), r'\(3, 5\)'), (None, r'\(3,\)')):
        Scorer.predict = lambda self, sequence: wrong
        with pytest.raises(ValueError, match=rf'shape \(3, 6\), got {shape}'):
            hidden.export_next_item_scores(Scorer(), Sequences())


def test_the_key_draws_the_notebooks_splits(tmp_path):
    from tests.helpers import random_interactions
    from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
    dataset = random_interactions(n=600)
    grading_key = make_key(11, dataset)
    _, test = random_train_test_split(dataset, random_state=np.random.RandomState(11))
    _, test_users = user_based_train_test_split(dataset, random_state=np.random.RandomState(11))
    np.testing.assert_array_equal(grading_key['test_pairs'], np.column_stack((test.user_ids, test.item_ids)))
    np.testing.assert_array_equal(grading_key['test_ratings'], test.ratings)
    np.testing.assert_array_equal(grading_key['test_sequences'], test_users.to_sequence().sequences)
    assert 0 < grading_key['baseline_rmse'] < 5 and grading_key['num_items'] == dataset.num_items
    assert make_key(12, dataset)['test_pairs'].tolist() != grading_key['test_pairs'].tolist()
    save_key(tmp_path / 'key.npz', grading_key)
    loaded = load_key(tmp_path / 'key.npz')
    assert loaded['seed'] == 11 and loaded['baseline_rmse'] == grading_key['baseline_rmse']
    with pytest.raises(FileNotFoundError, match='scripts/grade.py'):
        load_key(tmp_path / 'absent.npz')
    with pytest.raises(ValueError, match='seed must be an integer'):
        make_key(-1, dataset)


def test_the_kernels_may_write_only_in_their_scratch_folder(tmp_path):
    scratch, course, package = tmp_path / 'scratch', tmp_path / 'course', tmp_path / 'course' / 'package'
    policy = Policy([str(scratch)], [str(course)], [str(package)])
    policy.audit('open', (str(scratch / 'out.txt'), 'w', 0))
    policy.audit('open', (str(package / 'module.py'), 'r', 0))
    policy.audit('open', ('/etc/hostname', 'r', 0))
    policy.audit('socket.connect', (None, str(scratch / 'socket')))
    policy.audit('socket.bind', (None, ('127.0.0.1', 0)))
    for event, args, message in [
            ('open', (str(tmp_path / 'out.txt'), 'w', 0), 'writing'),
            ('open', (str(course / 'source.ipynb'), 'r', 0), 'reading'),
            ('open', (str(course / 'x'), None, 0o101), 'writing'),  # os.open(O_WRONLY | O_CREAT)
            ('os.listdir', (str(course),), 'reading'),
            ('os.rename', (str(scratch / 'a'), str(tmp_path / 'b'), None, None), 'writing'),
            ('subprocess.Popen', ('ls', ['ls'], None, None), 'starting programs'),
            ('socket.connect', (None, ('93.184.216.34', 80)), 'network'),
            ('socket.connect', (None, '/tmp/kabc/kernel-3'), 'local sockets'),
            ('os.kill', (1, 9), 'signalling')]:
        with pytest.raises(PermissionError, match=message):
            policy.audit(event, args)


def test_submissions_are_found_in_either_layout(tmp_path):
    flat = tmp_path / 'flat'
    flat.mkdir()
    (flat / 'ada.ipynb').write_text('{}')
    (flat / 'notes.txt').write_text('ignored')
    assert [(s.student_id, s.path.name) for s in submissions.find_submissions(flat)] == [('ada', 'ada.ipynb')]
    course = tmp_path / 'course'
    (course / 'submitted' / 'bob' / 'recsys_homework').mkdir(parents=True)
    (course / 'submitted' / 'bob' / 'recsys_homework' / 'mine.ipynb').write_text('{}')
    (course / 'submitted' / 'bob' / 'recsys_homework' / 'timestamp.txt').write_text('2024-01-01 10:00:00')
    found = submissions.find_submissions(course)
    assert [s.student_id for s in found] == ['bob'] and found[0].timestamp.name == 'timestamp.txt'


@pytest.mark.parametrize('files, message', [
    ({}, 'no submissions'),
    ({'bad name.ipynb': '{}'}, 'not usable'),
    ({'ada.ipynb': '{}', 'ada/recsys_homework/ada.ipynb': '{}'}, 'several submissions for ada'),
])
def test_unusable_submission_folders_are_refused(tmp_path, files, message):
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    with pytest.raises(ValueError, match=message):
        submissions.find_submissions(tmp_path)


def test_an_unreadable_submission_is_staged_as_its_reason(tmp_path):
    cases = {'empty': b'', 'script': b'print(1)\n', 'no_cells': nbformat.writes(new_notebook()).encode(),
             'fine': nbformat.writes(new_notebook(cells=[new_code_cell('x = 1')])).encode()}
    reasons = {}
    for name, content in cases.items():
        (tmp_path / f'{name}.ipynb').write_bytes(content)
        submission = submissions.Submission(name, tmp_path / f'{name}.ipynb')
        reasons[name] = submissions.stage(submission, tmp_path / 'course')
    assert reasons == {'empty': 'the file is empty: hand in the notebook saved from Jupyter',
                       'script': 'the file is not a Jupyter notebook (NotJSONError): hand in the .ipynb file',
                       'no_cells': 'the notebook has no cells', 'fine': None}
    staged = nbformat.read(str(tmp_path / 'course/submitted/script/recsys_homework/recsys_homework.ipynb'), 4)
    assert 'could not be graded' in staged.cells[0].source and staged.metadata.kernelspec.name == 'python3'


def test_the_grades_table_has_a_column_per_task(tmp_path):
    from nbgrader.api import Gradebook

    from grading.course import put_interpreter_scripts_on_path
    put_interpreter_scripts_on_path()  # the gradebook runs alembic, which needs no activated venv then
    with Gradebook(f'sqlite:///{tmp_path / "gradebook.db"}') as gradebook:
        gradebook.add_assignment('recsys_homework')
        gradebook.add_notebook('recsys_homework', 'recsys_homework')
        for name, points, kind in (('check_b', 2, 'code'), ('check_a', 3, 'code'), ('why', 2, 'markdown')):
            gradebook.add_grade_cell(name, 'recsys_homework', 'recsys_homework', max_score=points, cell_type=kind)
        for student_id, scores in (('zoe', (2, 0)), ('al', (0, 3))):
            gradebook.add_student(student_id)
            gradebook.add_submission('recsys_homework', student_id)
            for name, score in zip(('check_b', 'check_a'), scores):
                gradebook.find_grade(name, 'recsys_homework', 'recsys_homework', student_id).auto_score = score
        gradebook.find_grade('why', 'recsys_homework', 'recsys_homework', 'al').manual_score = 1.5
        gradebook.db.commit()
        from grading.export import task_rows
        rows = task_rows(gradebook, 'recsys_homework', order=['check_b', 'check_a', 'why'])
    assert rows == [['student_id', 'score', 'max_score', 'check_b', 'check_a', 'why'],
                    ['al', '4.5', '7', '0', '3', '1.5'],
                    ['zoe', '2', '7', '2', '0', '']]


def test_a_failed_submission_names_the_exception_nbgrader_logged():
    from grading.worker import failure
    log = ('[AutogradeApp | ERROR] There was an error processing assignment\n'
           '    zmq.error.ZMQError: File name too long (addr=ipc:///very/long/path)\n')
    generic = 'Traceback (most recent call last):\nnbgrader.converters.base.NbGraderException: Please see above'
    assert failure(log, generic) == 'zmq.error.ZMQError: File name too long (addr=ipc:///very/long/path)'
    assert failure('', generic) == 'nbgrader.converters.base.NbGraderException: Please see above'
