"""
What the grading tests share: the local path's grading of the default fixture set (about two
minutes), done once per session for the tests of the local path
(``test_fixture_submissions.py``) and those of the Dask path (``test_cluster.py``), which
compares its grades with it.
"""

import pytest


@pytest.fixture(scope='session')
def default_run(tmp_path_factory):
    """The output folder of ``scripts/grade.py`` on the default fixtures, two jobs, the test seed."""
    from tests.grading.test_fixture_submissions import DEFAULT, graded
    return graded(tmp_path_factory.mktemp('default'), DEFAULT)
