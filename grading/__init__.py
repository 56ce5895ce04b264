"""
The course kit: grading the homework notebook with nbgrader.

The solution notebook (``recsys_homework.ipynb``) is nbgrader's source: its grade cells are
the checks students see and, between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
TESTS``, the tests only the grader runs. ``scripts/grade.py`` grades a folder of
submissions on nbgrader's own pipeline (``generate_assignment``, ``autograde``,
``generate_feedback``, ``export``, configured by ``nbgrader_config.py``), with this
package's preprocessors where nbgrader lacks something. The package has two sides:

* ``kernel``: what runs inside the student's kernel, and imports nothing from the rest of
  the package: ``kernel.hidden``, what the hidden tests call to export the student's
  predictions for the run's test set, and ``kernel.sandbox``, the process the kernel runs
  in (time and memory limits, an audit hook on reading and writing files, starting
  programs and the network);
* the grader's own code, beside it:

  * ``preprocessors``: nbgrader's preprocessors, one per module: ``remove_solution_only_cells``
    (the handout), ``normalize_cells`` (restoring the checks a student deleted, moved,
    retagged or stripped), ``inject_seed`` (the run's unseen seed), ``sandboxed_execute``
    (the kernel in a scratch folder, with time, memory and output limits, without network
    where the platform allows) and ``score_exports`` (each check's verdict);
  * ``key`` and ``scoring``: the grader's own process computes RMSE and MRR from the
    exported predictions, against a split it draws itself from a seed the student never saw;
  * ``cells``, ``execute`` and ``kernels``: what the preprocessors and the reports share (a
    cell's nbgrader id, the names of the notes and errors written into the outputs, whether
    the network can be isolated) and the kernels on local sockets;
  * ``submissions``, ``worker``, ``course`` and ``export``: reading the submissions, grading
    each in its own process, writing ``grades.csv``.

It re-exports nothing: import each name from its module.
"""

ASSIGNMENT = 'recsys_homework'
