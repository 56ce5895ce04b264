"""
The similarity report (``grading.similarity``): planted copies of one honest answer (names
renamed, cells reordered and comments rewritten, both) rank above every pair of answers
written independently; the blank handout and the handout's own code share nothing; the CSV
and the HTML page; a failure leaves no file; and ``grade_folder`` writes both on a run of
three tiny submissions.

The fixtures are tests/fixtures/similarity (``build.py`` derives them from the handout).
"""

import copy
import csv
import itertools
import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading import similarity
from tests.fixtures.similarity import build
from tests.helpers import ROOT

FIXTURES = ROOT / 'tests' / 'fixtures' / 'similarity'
HONEST = ['honest_a', 'honest_b', 'honest_c']
COPIES = ['copy_renamed', 'copy_reordered', 'copy_both']  # all of honest_a
FAMILY = {'honest_a', *COPIES}


def load(name):
    return nbformat.read(str(FIXTURES / f'{name}.ipynb'), as_version=4)


@pytest.fixture(scope='module')
def release():
    return load('blank')  # the handout, unanswered


@pytest.fixture(scope='module')
def notebooks():
    return {name: load(name) for name in HONEST + COPIES + ['blank']}


@pytest.fixture(scope='module')
def docs(notebooks, release):
    return similarity.documents(notebooks, release)


@pytest.fixture(scope='module')
def pairs(docs):
    return similarity.compare(docs)


def by_students(pairs):
    return {frozenset((pair.student_a, pair.student_b)): pair for pair in pairs}


def test_every_planted_pair_ranks_above_every_honest_pair(pairs):
    planted = [pair for pair in pairs if {pair.student_a, pair.student_b} <= FAMILY]
    others = [pair for pair in pairs if not {pair.student_a, pair.student_b} <= FAMILY
              and 'blank' not in (pair.student_a, pair.student_b)]
    assert len(planted) == 6 and len(others) == 9
    assert pairs[:6] == planted  # ranks 1 to 6
    assert min(pair.similarity for pair in planted) > max(pair.similarity for pair in others)
    assert min(pair.similarity for pair in planted) >= 0.9
    assert max(pair.similarity for pair in others) < 0.2


def test_renamed_names_moved_cells_and_new_comments_change_nothing(pairs):
    table = by_students(pairs)
    for copy_name in ('copy_renamed', 'copy_reordered'):
        pair = table[frozenset(('honest_a', copy_name))]
        assert (pair.similarity, pair.share_a, pair.share_b) == (1.0, 1.0, 1.0), copy_name
    # copy_both also changes six numbers and adds a plot of its own: all of honest_a is still in it
    pair = table[frozenset(('honest_a', 'copy_both'))]
    assert pair.similarity == max(pair.share_a, pair.share_b) >= 0.9


def test_the_blank_handout_pairs_with_nothing(pairs, notebooks, release, docs):
    assert similarity.written_code(notebooks['blank'], release) == [] and docs['blank'].empty
    with_blank = [pair for pair in pairs if 'blank' in (pair.student_a, pair.student_b)]
    assert len(with_blank) == 6
    assert all((pair.similarity, pair.share_a, pair.share_b) == (0.0, 0.0, 0.0) for pair in with_blank)


def test_the_handouts_code_is_not_counted(release):
    pasted = copy.deepcopy(release)  # the handout's code pasted again, in cells of one's own
    code = [cell.source for cell in release.cells if cell.cell_type == 'code']
    pasted.cells += [new_code_cell(source) for source in code[5:9] + code[-3:]]
    notebooks = {'blank_1': release, 'blank_2': copy.deepcopy(release), 'pasted_1': pasted,
                 'pasted_2': copy.deepcopy(pasted)}
    docs = similarity.documents(notebooks, release)
    assert similarity.written_code(pasted, release)  # the pasted cells are the student's...
    assert all(doc.empty for doc in docs.values())  # ... but their fingerprints are the handout's
    assert [pair.similarity for pair in similarity.compare(docs)] == [0.0] * 6


def test_what_a_student_wrote_is_the_answers_without_the_handouts_lines(notebooks, release):
    chunks = similarity.written_code(notebooks['honest_a'], release)
    labels = [chunk.label for chunk in chunks]
    assert labels == ['collaborative_filtering_model', 'added', 'training_loop', 'added', 'added', 'added',
                      'next_item_answer']
    model = chunks[0].code
    assert model.startswith('self.user_factors = nn.Embedding(nb_users, embedding_size)')
    for given in ('class CollaborativeFilteringModel', 'def forward(self, x):', '# Your code here', 'pass',
                  'EMBEDDING_SIZE = 20', 'super().__init__()'):
        assert given not in model
    assert chunks[2].code.startswith('model.train()') and '%%time' not in chunks[2].code
    assert 'losses = []' not in chunks[2].code and 'for epoch in tqdm' not in chunks[2].code
    assert chunks[-1].code == 'next_item_model = lstm_model'
    everything = '\n'.join(chunk.code for chunk in chunks)
    assert 'Check (' not in everything and 'overfitting' not in everything  # no check, no markdown


def test_a_notebook_stripped_of_its_metadata_gives_the_same_code(notebooks, release):
    stripped = copy.deepcopy(notebooks['honest_b'])
    for cell in stripped.cells:
        cell.metadata = {}
    assert ([chunk.code for chunk in similarity.written_code(stripped, release)]
            == [chunk.code for chunk in similarity.written_code(notebooks['honest_b'], release)])


def read_rows(path):
    with open(path, newline='') as table:
        return list(csv.reader(table))


def test_the_csv_has_one_row_per_pair_most_similar_first(tmp_path, notebooks, release):
    pairs = similarity.write_report(notebooks, release, tmp_path)
    rows = read_rows(tmp_path / 'similarity.csv')
    assert rows[0] == ['student_a', 'student_b', 'similarity']
    assert len(rows) - 1 == len(pairs) == 21  # 7 submissions
    assert {frozenset(row[:2]) for row in rows[1:]} == {frozenset(pair) for pair in
                                                        itertools.combinations(notebooks, 2)}
    scores = [float(row[2]) for row in rows[1:]]
    assert scores == sorted(scores, reverse=True) and all(0 <= score <= 1 for score in scores)
    assert all(re.fullmatch(r'[01]\.\d{4}', row[2]) and row[0] < row[1] for row in rows[1:])
    assert rows[1:4] == [['copy_renamed', 'copy_reordered', '1.0000'], ['copy_renamed', 'honest_a', '1.0000'],
                         ['copy_reordered', 'honest_a', '1.0000']]  # ties: by the students' ids
    assert rows[-1] == ['honest_b', 'honest_c', '0.0000']
    assert (tmp_path / 'similarity.html').is_file()


def test_the_page_escapes_ids_and_code_and_marks_the_shared_passage(tmp_path, release):
    shared = ('def helper(values, limit):\n    kept = [v for v in values if v < limit and "<script>" not in str(v)]\n'
              '    return sorted(kept, key=lambda v: -v)[:limit]\n')
    first = new_notebook(cells=[new_code_cell(shared + 'print(helper([3, 1, 2], 2))')])
    second = new_notebook(cells=[new_code_cell('x = 1'), new_code_cell(shared.replace('kept', 'chosen'))])
    similarity.write_report({'<b>&first': first, 'second"<i>': second}, release, tmp_path, threshold=0.1)
    page = (tmp_path / 'similarity.html').read_text()
    assert 'a report for the grader, not a verdict' in page.lower()
    assert '<b>&first' not in page and '&lt;b&gt;&amp;first' in page
    assert 'second"<i>' not in page and 'second&quot;&lt;i&gt;' in page
    assert '"<script>"' not in page and '&quot;&lt;script&gt;&quot;' in page
    marked = re.findall(r'<mark>(.*?)</mark>', page, re.DOTALL)
    assert len(marked) == 2  # one passage on each side
    assert marked[0].startswith('def helper(values, limit):') and 'v &lt; limit' in marked[0]
    assert marked[0].endswith('[:limit]') and 'print' not in marked[0]
    # self-contained: no script, no stylesheet or image fetched
    assert not re.search(r'<script|<link|<img|src=|https?://', page)


def test_a_failure_writes_no_file_and_is_reported(tmp_path, monkeypatch):
    record = similarity.report_for_course(tmp_path)  # no release, no submissions
    assert record['error'].startswith('FileNotFoundError') and record['seconds'] >= 0
    assert list(tmp_path.iterdir()) == []
    course = tmp_path / 'course'
    (course / 'release' / 'recsys_homework').mkdir(parents=True)
    (course / 'release' / 'recsys_homework' / 'recsys_homework.ipynb').write_bytes(
        (FIXTURES / 'blank.ipynb').read_bytes())
    for name in ('honest_a', 'honest_b'):
        folder = course / 'submitted' / name / 'recsys_homework'
        folder.mkdir(parents=True)
        (folder / 'recsys_homework.ipynb').write_bytes((FIXTURES / f'{name}.ipynb').read_bytes())
    real = similarity.atomic_write_bytes

    def disk_full_for_the_page(path, data):
        if path.name.endswith('.html'):
            raise OSError(28, 'No space left on device')
        real(path, data)

    monkeypatch.setattr(similarity, 'atomic_write_bytes', disk_full_for_the_page)
    record = similarity.report_for_course(course)
    assert record['error'] == 'OSError: [Errno 28] No space left on device'
    assert not (course / 'similarity.csv').exists() and not (course / 'similarity.html').exists()
    monkeypatch.setattr(similarity, 'atomic_write_bytes', real)
    record = similarity.report_for_course(course)
    assert record['pairs'] == 1 and record['most_similar'][:2] == ['honest_a', 'honest_b']
    assert read_rows(course / 'similarity.csv')[1][:2] == ['honest_a', 'honest_b']


def test_grading_a_folder_writes_the_report_and_records_it(tmp_path):
    from grading.course import Limits, grade_folder
    helper = ('def running_mean(values, width):\n    out, total = [], 0.0\n    for index, value in enumerate(values):\n'
              '        total += value\n        if index >= width:\n            total -= values[index - width]\n'
              '        out.append(total / min(index + 1, width))\n    return out\n')
    submissions = tmp_path / 'submissions'
    submissions.mkdir()
    for name, source in (('tiny_a', helper), ('tiny_b', helper.replace('total', 'acc').replace('out', 'means')),
                         ('tiny_c', 'import math\nprint([math.sqrt(n) for n in range(5)])')):
        nbformat.write(new_notebook(cells=[new_code_cell(source)]), str(submissions / f'{name}.ipynb'))
    out = tmp_path / 'graded'
    record = grade_folder(submissions, out, jobs=2, seed=2024, limits=Limits(cell_timeout=60, notebook_timeout=240),
                          progress=False)
    assert json.loads((out / 'grading.json').read_text())['similarity'] == record['similarity']
    assert record['similarity']['pairs'] == 3 and record['similarity']['seconds'] >= 0
    assert 'error' not in record['similarity']
    rows = read_rows(out / 'similarity.csv')
    assert rows[1] == ['tiny_a', 'tiny_b', '1.0000'] and [row[2] for row in rows[2:]] == ['0.0000', '0.0000']
    assert 'tiny_a' in (out / 'similarity.html').read_text()
    with open(out / 'grades.csv', newline='') as table:
        assert {row['student_id']: float(row['score']) for row in csv.DictReader(table)} == {
            'tiny_a': 0, 'tiny_b': 0, 'tiny_c': 0}  # no model: every check fails


def test_the_fixtures_follow_the_notebook():
    assert build.main(['--check']) == 0, 'run python -m tests.fixtures.similarity.build'
