"""
The course kit: grading the homework notebook with nbgrader.

The solution notebook (``recsys_homework.ipynb``) is nbgrader's source: its grade cells are
the checks students see and, between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
TESTS``, the tests only the grader runs. ``scripts/grade.py`` grades a folder of
submissions on nbgrader's own pipeline (``generate_assignment``, ``autograde``,
``generate_feedback``, ``export``, configured by ``nbgrader_config.py``), with this
package's preprocessors where nbgrader lacks something:

* ``hidden``: what the hidden tests run in the student's kernel: they export the student's
  predictions for the run's test set;
* ``key`` and ``scoring``: the grader's own process computes RMSE and MRR from those
  predictions, against a split it draws itself from a seed the student never saw;
* ``cells``: restoring the checks a student deleted, moved, retagged or stripped;
* ``execute`` and ``sandbox``: the kernel in a scratch folder, with time, memory and output
  limits, without network where the platform allows;
* ``submissions``, ``worker``, ``course`` and ``export``: reading the submissions, grading
  each in its own process, writing ``grades.csv``.
"""

ASSIGNMENT = 'recsys_homework'
