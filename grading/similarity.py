"""
How much code each pair of submissions shares: ``similarity.csv`` and ``similarity.html``
in the course folder, a report for the grader (it never changes a score, and it is not a
verdict: honest answers to the same handout share idioms).

**What is compared.** What each student wrote (``written_code``), read from the submitted
notebook and the released handout: each code cell is matched to the handout's cell with
the same nbgrader id or, for a cell without one, the same first line
(``grading.preprocessors.normalize_cells.signature``); the lines the handout already gives
in that cell are removed (``# Your code here``, ``def forward(self, x):``, ``pass``...), so
the solution regions keep only the student's lines and the given cells only what the
student changed; the cells matching no handout cell (the ones the student added) are
taken whole. The checks are left out (nbgrader restores them), and so are IPython magics
(``%%time``) and the **markdown answers** (``weight_decay_answer`` is prose, graded by
hand: not compared).

**How.** With ``copydetect`` (MOSS's k-gram fingerprints, Schleimer, Wilkerson and Aiken,
2003): its tokenizer (pygments) drops comments and whitespace and replaces every variable,
attribute and argument name by ``V``, every function name by ``F``, every class name by
``O`` and every string by ``S`` (keywords, operators, numbers, builtins and module names
stay), so renaming the variables or rewriting the comments changes nothing. Each cell is
fingerprinted on its own (every ``K``-gram of its tokenized text: no winnowing, see ``K``)
and a student's fingerprints are pooled, so moving or reordering cells changes nothing
either; the fingerprints of the handout's own code are
removed as boilerplate.

**The numbers.** For a pair (A, B), copydetect's ``compare_files`` gives the share of A's
tokenized code covered by fingerprints B also has, and the share of B's covered by A's.
``similarity`` is the larger of the two: 1.0 when all that one of them wrote is in the
other's notebook (a copy, or a small answer made only of common idioms), 0 when they share
no run of ``K`` tokens, and 0 for a submission that wrote nothing (the blank handout).
"""

import csv
import html
import io
import statistics
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from spotlight_compat.atomic import atomic_write_bytes

from . import ASSIGNMENT
from .cells import grade_id
from .preprocessors.normalize_cells import is_check, signature

# K: the length, in tokenized characters, of a fingerprint (copydetect's noise threshold:
# shorter shared runs are never counted). Tokenized, a name is one character, so the idioms
# every PyTorch answer has are short: "V.V()V.V()V.V()" (zero_grad, backward, step) is 15,
# "forV,VinV:" 10, "withV.V():" 10, "self.V=V.V(V,V)" 15. On the fixtures
# (tests/fixtures/similarity: three honest answers written independently, and copies of one
# of them) the most similar honest pair shares 0.42 of its code at K=10, 0.22 at 15, 0.14 at
# 20 and 0.06 at 25; a copy renamed or reordered scores 1.0 at every K (what it changed is
# what the tokenizer drops), and the copy with six numbers changed as well scores 0.98 at 15,
# 0.94 at 25 and 0.81 at 50: each changed number breaks the K-grams around it, and longer K
# also loses an answer's short parts (a two-line forward is 40-80 characters). 25 is
# copydetect's own default.
K = 25
# WINDOW: copydetect's winnowing window. 1 keeps every K-gram, so every shared run of K
# tokens is found (the guarantee threshold is K itself). Winnowing saves memory on large
# corpora; a submission here is a few thousand characters, and winnowing would pick the
# minimum of Python's salted string hash in each window, so the scores would change from one
# run to the next.
WINDOW = 1
TOP_PAIRS = 10         # pairs shown side by side in similarity.html
THRESHOLD = 0.5        # ... those at least this similar
TABLE_ROWS = 200       # rows of the ranked table in similarity.html (similarity.csv has all)
NOTEBOOK = f'{ASSIGNMENT}.ipynb'


@dataclass(frozen=True)
class Chunk:
    """Code a student wrote in one cell: where it is and its text."""

    cell: int     # the cell's index in the submitted notebook
    label: str    # its nbgrader id, 'added', or 'a handout cell, changed'
    code: str


@dataclass(frozen=True)
class Pair:
    """Two students and the shares of their code each finds in the other's."""

    student_a: str
    student_b: str
    similarity: float  # the larger share
    share_a: float     # the part of student_a's tokenized code found in student_b's
    share_b: float


class Document:
    """
    One student's code as copydetect fingerprints it: each chunk (cell) tokenized and
    fingerprinted on its own, the fingerprints pooled, the handout's removed.

    A fingerprint never spans two cells, so the order of the cells changes nothing.
    ``fingerprint`` is copydetect's ``CodeFingerprint`` of the cells joined, with its
    ``hashes``, ``hash_idx`` and ``token_coverage`` those of the pooled fingerprints, in the
    coordinates of ``fingerprint.filtered_code`` (the cells' tokenized texts, joined).
    """

    def __init__(self, student_id, chunks, boilerplate=frozenset(), k=K):
        from copydetect import CodeFingerprint
        from copydetect.utils import filter_code, get_document_fingerprints, get_token_coverage
        self.student_id = student_id
        self.chunks = sorted(chunks, key=lambda chunk: chunk.cell)
        self.fingerprint = fingerprint = CodeFingerprint(
            f'{student_id}.py', k, WINDOW, fp=io.StringIO('\n\n'.join(chunk.code for chunk in self.chunks)),
            language='python')
        filtered, hashes, where, self.characters = [], set(), {}, []
        for number, chunk in enumerate(self.chunks):
            text, _ = filter_code(chunk.code, 'cell.py', 'python')
            chunk_hashes, chunk_where = get_document_fingerprints(text, k, WINDOW)
            offset = sum(map(len, filtered))
            hashes |= chunk_hashes - boilerplate
            for value, positions in chunk_where.items():
                if value not in boilerplate:
                    where.setdefault(value, []).extend(int(position) + offset for position in positions)
            filtered.append(text)
            spans = token_spans(chunk.code)
            if ''.join(piece for piece, _, _ in spans) != text:  # another copydetect's tokenizer
                spans = [(character, 0, 0) for character in text]  # counted, not highlighted
            self.characters += [(number, start, end) for piece, start, end in spans for _ in piece]
        # copydetect's boilerplate argument is not used: 0.5.0 removes it with
        # np.intersect1d(assume_unique=True) on hashes that are not unique (a K-gram repeated
        # in a document), which drops the positions of other fingerprints with it.
        fingerprint.filtered_code = ''.join(filtered)
        fingerprint.hashes, fingerprint.hash_idx = hashes, where
        fingerprint.token_coverage = get_token_coverage(where, k, len(fingerprint.filtered_code))

    @property
    def empty(self):
        """Whether the student wrote nothing that is fingerprinted."""
        return not self.fingerprint.hashes

    def in_cells(self, slices):
        """
        Slices of the tokenized text (copydetect's ``[starts, ends]``) in the cells' code.

        Returns
        -------
        list of (Chunk, list of (int, int))
            The chunks in notebook order, each with the ``(start, end)`` offsets in its code
            of the shared passages (from the first token's start to the last one's end).
        """
        marked = [[] for _ in self.chunks]
        for low, high in zip(*slices):
            by_chunk = {}
            for number, start, end in self.characters[int(low):int(high)]:
                first, last = by_chunk.get(number, (start, end))
                by_chunk[number] = (min(first, start), max(last, end))
            for number, (start, end) in by_chunk.items():
                if end > start:
                    marked[number].append((start, end))
        return list(zip(self.chunks, marked))


def token_spans(code):
    """
    copydetect's tokenized text of ``code`` (``copydetect.utils.filter_code``, for Python),
    token by token, with where each token lies in ``code``.

    Returns
    -------
    list of (str, int, int)
        ``(tokenized text, start, end)`` for each token that leaves text (comments and
        whitespace leave none); their texts joined are ``filter_code``'s.
    """
    from pygments import lexers, token
    spans, position = [], 0
    variables = {token.Name, token.Name.Variable, token.Name.Attribute}
    for kind, value in lexers.get_lexer_by_name('python').get_tokens(code):
        start, position = position, position + len(value)
        if kind in variables:
            text = 'V'
        elif kind in token.Name.Function:
            text = 'F'
        elif kind in token.Name.Class:
            text = 'O'
        elif kind == token.Comment.Preproc or kind == token.Comment.Hashbang:
            text = 'P'
        elif kind in token.Text or kind in token.Comment:
            continue
        elif kind in token.Literal.String:
            text = '"' if value in ("'", '"') else 'S'
        else:
            text = value
        spans.append((text, min(start, len(code)), min(position, len(code))))
    return spans


def _code_lines(source):
    """The lines of a code cell, without IPython magics (``%``, ``%%``, ``!``)."""
    return [line for line in source.splitlines() if not line.lstrip().startswith(('%', '!'))]


def _without_given_lines(source, given):
    """``source``'s lines minus those the handout's cell ``given`` has (each taken once)."""
    remaining = {}
    for line in _code_lines(given):
        if line.strip():
            remaining[line.strip()] = remaining.get(line.strip(), 0) + 1
    kept = []
    for line in _code_lines(source):
        if remaining.get(line.strip()):
            remaining[line.strip()] -= 1
        else:
            kept.append(line)
    return textwrap.dedent('\n'.join(kept)).strip('\n')


def written_code(notebook, release):
    """
    What the student wrote (see the module): their solution regions without the handout's
    lines, the given cells' changed lines, and the cells they added.

    Parameters
    ----------
    notebook, release: NotebookNode
        The submission and the released handout.

    Returns
    -------
    list of Chunk
        In notebook order; a cell whose every line the handout gives yields none.
    """
    handout = [cell for cell in release.cells if cell.cell_type == 'code']
    by_id = {grade_id(cell): number for number, cell in enumerate(handout) if grade_id(cell)}
    chunks, used = [], set()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != 'code':
            continue
        match = by_id.get(grade_id(cell))
        if match is None or match in used:  # no metadata (or another cell's): the first line
            match = next((number for number, given in enumerate(handout)
                          if number not in used and signature(given) == signature(cell)), None)
        if match is None:
            given, label = '', 'added'
        else:
            used.add(match)
            if is_check(handout[match]):
                continue  # nbgrader restores the checks: nothing there is the student's
            given, label = handout[match].source, grade_id(handout[match]) or 'a handout cell, changed'
        code = _without_given_lines(cell.source, given)
        if code.strip():
            chunks.append(Chunk(index, label, code))
    return chunks


def handout_boilerplate(release, k=K):
    """
    The fingerprints of the handout's code: never counted as shared.

    Returns
    -------
    frozenset
    """
    from copydetect import CodeFingerprint
    text = '\n\n'.join('\n'.join(_code_lines(cell.source)) for cell in release.cells if cell.cell_type == 'code')
    return frozenset(CodeFingerprint('handout.py', k, WINDOW, fp=io.StringIO(text), language='python').hashes)


def documents(notebooks, release, k=K):
    """
    Each student's ``Document``.

    Parameters
    ----------
    notebooks: dict
        ``{student_id: NotebookNode}``.
    release: NotebookNode
        The released handout.

    Returns
    -------
    dict
        ``{student_id: Document}``.
    """
    boilerplate = handout_boilerplate(release, k)
    return {student: Document(student, written_code(notebook, release), boilerplate, k)
            for student, notebook in notebooks.items()}


def compare(docs):
    """
    Every pair of documents, the most similar first (ties by the students' ids).

    Parameters
    ----------
    docs: dict
        ``{student_id: Document}``.

    Returns
    -------
    list of Pair
        ``student_a`` sorts before ``student_b``.
    """
    from copydetect import compare_files
    students, pairs = sorted(docs), []
    for i, a in enumerate(students):
        for b in students[i + 1:]:
            first, second = docs[a].fingerprint, docs[b].fingerprint
            if docs[a].empty or docs[b].empty or first.hashes.isdisjoint(second.hashes):
                pairs.append(Pair(a, b, 0.0, 0.0, 0.0))
                continue
            _, (share_a, share_b), _ = compare_files(first, second)
            pairs.append(Pair(a, b, float(max(share_a, share_b)), float(share_a), float(share_b)))
    return sorted(pairs, key=lambda pair: (-pair.similarity, pair.student_a, pair.student_b))


def shared_passages(first, second):
    """
    Where the two documents share fingerprints (for the report): copydetect's
    ``find_fingerprint_overlap`` and ``get_copied_slices`` on the tokenized texts, mapped back
    to the cells' code token by token (``compare_files`` maps them back approximately: a
    highlight there often starts a token early or ends one short).

    Returns
    -------
    (list, list)
        ``Document.in_cells`` of each: ``[(Chunk, [(start, end), ...]), ...]``.
    """
    from copydetect.utils import find_fingerprint_overlap, get_copied_slices
    a, b = first.fingerprint, second.fingerprint
    where_a, where_b = find_fingerprint_overlap(a.hashes, b.hashes, a.hash_idx, b.hash_idx)
    return first.in_cells(get_copied_slices(where_a, a.k)), second.in_cells(get_copied_slices(where_b, b.k))


def render_csv(pairs):
    """
    ``similarity.csv``: ``student_a,student_b,similarity`` (4 decimals), in ``pairs``' order.

    Returns
    -------
    bytes
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(['student_a', 'student_b', 'similarity'])
    writer.writerows([pair.student_a, pair.student_b, f'{pair.similarity:.4f}'] for pair in pairs)
    return buffer.getvalue().encode()


STYLE = '''
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
.notice { background: #fff6d6; border: 1px solid #e0c96b; padding: .6em 1em; max-width: 70em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .2em .6em; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.high td { background: #fde2e2; }
.pair { margin: 2em 0; border-top: 2px solid #888; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.sides > div { min-width: 0; }
.cell { font-size: .8em; color: #666; margin: .8em 0 .2em; }
pre { background: #f7f7f7; padding: .5em; margin: 0; overflow-x: auto; font-size: .8em; line-height: 1.45;
      white-space: pre; }
mark { background: #ffd27a; padding: .1em 0; }
'''


def _code_html(text, slices):
    """``text`` escaped, its ``slices`` in ``<mark>``."""
    parts, position = [], 0
    for start, end in sorted(slices):
        start = max(start, position)
        if end <= start:
            continue
        parts += [html.escape(text[position:start]), '<mark>', html.escape(text[start:end]), '</mark>']
        position = end
    parts.append(html.escape(text[position:]))
    return ''.join(parts)


def _side_html(document, passages, share):
    cells = []
    for chunk, marked in passages:
        cells.append(f'<div class="cell">cell {chunk.cell + 1}: {html.escape(chunk.label)}</div>'
                     f'<pre>{_code_html(chunk.code, marked)}</pre>')
    return (f'<div><h3>{html.escape(document.student_id)}: {share:.0%} of it shared</h3>'
            + (''.join(cells) or '<p>(nothing written)</p>') + '</div>')


def render_html(pairs, docs, top=TOP_PAIRS, threshold=THRESHOLD, table_rows=TABLE_ROWS):
    """
    ``similarity.html``: a self-contained page (inline CSS, no script, nothing fetched) with
    the ranked pairs and, for the ``top`` most similar pairs at ``threshold`` or above, the
    two students' code side by side, the shared passages marked.

    Returns
    -------
    bytes
    """
    shown = [pair for pair in pairs if pair.similarity >= threshold][:top]
    median = statistics.median([pair.similarity for pair in pairs]) if pairs else 0.0
    rows = ''.join(
        f'<tr class="{"high" if pair.similarity >= threshold else ""}"><td class="number">{rank}</td>'
        f'<td>{html.escape(pair.student_a)}</td><td>{html.escape(pair.student_b)}</td>'
        f'<td class="number">{pair.similarity:.2f}</td><td class="number">{pair.share_a:.2f}</td>'
        f'<td class="number">{pair.share_b:.2f}</td></tr>'
        for rank, pair in enumerate(pairs[:table_rows], 1))
    more = (f'<p>The {len(pairs) - table_rows} other pairs are in similarity.csv.</p>'
            if len(pairs) > table_rows else '')
    details = ''
    for pair in shown:
        slices_a, slices_b = shared_passages(docs[pair.student_a], docs[pair.student_b])
        details += (f'<section class="pair"><h2>{html.escape(pair.student_a)} and {html.escape(pair.student_b)}: '
                    f'{pair.similarity:.2f}</h2><div class="sides">'
                    f'{_side_html(docs[pair.student_a], slices_a, pair.share_a)}'
                    f'{_side_html(docs[pair.student_b], slices_b, pair.share_b)}</div></section>')
    page = f'''<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{ASSIGNMENT}: similarity of the submissions</title>
<style>{STYLE}</style></head><body>
<h1>{ASSIGNMENT}: similarity of the submissions</h1>
<div class="notice"><p><strong>A report for the grader, not a verdict.</strong> It changes no score.
Honest answers to the same handout share idioms (a training step, an embedding lookup);
a high similarity is a reason to read the two notebooks, nothing more.</p>
<p>Compared: the code each student wrote (the solution regions without the handout's lines,
the cells they added); not the markdown answers. Names, comments, whitespace and the order of
the cells are ignored (copydetect's tokenizer: every name becomes one token). <em>similarity</em>
is the larger of the two shares: the part of A's code found in B's (<em>share of A</em>) and the
part of B's found in A's, in runs of at least {K} characters of the tokenized code (a name counts as one). 1.00: all one of them wrote is in the
other's notebook; 0: no shared run, or nothing written.
Median over the {len(pairs)} pairs: {median:.2f}.</p></div>
<h2>The pairs, most similar first</h2>
<table><thead><tr><th>rank</th><th>student A</th><th>student B</th><th>similarity</th>
<th>share of A</th><th>share of B</th></tr></thead><tbody>{rows}</tbody></table>{more}
<h2>The {len(shown)} most similar pairs at {threshold:.2f} or above, side by side</h2>
{details or '<p>None.</p>'}
</body></html>
'''
    return page.encode()


def read_course(out):
    """
    The submitted notebooks and the released handout of the course folder ``out``.

    Returns
    -------
    (dict, NotebookNode)
        ``{student_id: NotebookNode}`` and the handout.
    """
    out = Path(out)
    release = nbformat.read(str(out / 'release' / ASSIGNMENT / NOTEBOOK), as_version=4)
    notebooks = {}
    for path in sorted((out / 'submitted').glob(f'*/{ASSIGNMENT}/{NOTEBOOK}')):
        notebooks[path.parent.parent.name] = nbformat.read(str(path), as_version=4)
    return notebooks, release


def write_report(notebooks, release, out, top=TOP_PAIRS, threshold=THRESHOLD):
    """
    Write ``out/similarity.csv`` and ``out/similarity.html`` (both, or neither).

    Parameters
    ----------
    notebooks: dict
        ``{student_id: NotebookNode}``, the submissions.
    release: NotebookNode
        The released handout.
    out: path
        An existing folder.

    Returns
    -------
    list of Pair
        The pairs, the most similar first.
    """
    docs = documents(notebooks, release)
    pairs = compare(docs)
    table, page = render_csv(pairs), render_html(pairs, docs, top, threshold)
    out = Path(out)
    atomic_write_bytes(out / 'similarity.csv', table)
    try:
        atomic_write_bytes(out / 'similarity.html', page)
    except BaseException:
        (out / 'similarity.csv').unlink(missing_ok=True)
        raise
    return pairs


def report_for_course(out, top=TOP_PAIRS, threshold=THRESHOLD):
    """
    The similarity report of the graded course folder ``out`` (``grading.course.grade_folder``
    calls it last). It never raises: a failure is returned, and no file is left written.

    Returns
    -------
    dict
        What ``grading.json`` records: the pairs compared, the most similar pair and the
        seconds taken, or the error and the seconds.
    """
    started = time.monotonic()
    try:
        notebooks, release = read_course(out)
        pairs = write_report(notebooks, release, out, top, threshold)
    except Exception as error:  # a report: whatever went wrong, the grading stands
        return {'error': f'{type(error).__name__}: {error}', 'seconds': round(time.monotonic() - started, 1)}
    record = {'pairs': len(pairs), 'k': K, 'files': ['similarity.csv', 'similarity.html'],
              'seconds': round(time.monotonic() - started, 1)}
    if pairs:
        record['most_similar'] = [pairs[0].student_a, pairs[0].student_b, round(pairs[0].similarity, 4)]
    return record
