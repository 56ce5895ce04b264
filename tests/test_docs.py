"""
The project's Markdown: every relative link in the README, ``docs/`` and ``results/`` names a
file that is there, and every ``#anchor`` a heading of that file (GitHub's slugs).
"""

import re

import pytest

from tests.helpers import ROOT, git_files

LINK = re.compile(r'\]\(([^)\s]+)\)')
FENCE = re.compile(r'^(```|~~~).*?^\1', re.MULTILINE | re.DOTALL)


def slug(heading):
    """GitHub's anchor for ``heading``: lower case, punctuation but ``-`` and ``_`` dropped, spaces to hyphens."""
    text = re.sub(r'[`*]', '', heading.strip().lower())
    return re.sub(r'[^\w\- ]', '', text).replace(' ', '-')


def anchors(path):
    """The anchors of the headings of the Markdown file ``path``."""
    text = FENCE.sub('', path.read_text())
    return {slug(line.lstrip('#')) for line in text.splitlines() if re.match(r'#{1,6} ', line)}


def relative_links(path):
    """(target, anchor) of each link in ``path`` that points inside the repository."""
    text = FENCE.sub('', path.read_text())
    for target in LINK.findall(text):
        if re.match(r'[a-z][a-z0-9+.-]*:', target) or target.startswith('mailto'):
            continue
        file, _, anchor = target.partition('#')
        yield file, anchor


def test_slug_follows_github():
    assert slug('Grading on a Dask cluster') == 'grading-on-a-dask-cluster'
    assert slug('What is graded is the work, not the printed numbers') == \
        'what-is-graded-is-the-work-not-the-printed-numbers'
    assert slug('`spotlight_compat`: the API') == 'spotlight_compat-the-api'


def test_relative_links_finds_files_and_anchors(tmp_path):
    page = tmp_path / 'page.md'
    page.write_text('[a](other.md#part) [b](https://example.org) [c](#here)\n'
                    '```\n[d](inside-a-fence.md)\n```\n')
    assert list(relative_links(page)) == [('other.md', 'part'), ('', 'here')]


@pytest.mark.parametrize('name', git_files('README.md', 'docs/*.md', 'results/*.md'))
def test_links_resolve(name):
    page = ROOT / name
    broken = []
    for file, anchor in relative_links(page):
        target = (page.parent / file).resolve() if file else page
        if not target.exists():
            broken.append(f'{file}: no such file')
        elif anchor and target.suffix == '.md' and anchor not in anchors(target):
            broken.append(f'{file}#{anchor}: no such heading in {target.relative_to(ROOT)}')
    assert not broken, f'{name} has broken links: ' + '; '.join(broken)
