"""
The grader's nbgrader preprocessors, one per module, for what nbgrader lacks.

They are named in ``nbgrader_config.py``, each imported from its module (this package
re-exports nothing, so that loading one loads none of the others):

* ``remove_solution_only_cells.RemoveSolutionOnlyCells``: first in
  ``GenerateAssignment.preprocessors``, it leaves the solution-only cells out of the handout;
* ``normalize_cells.NormalizeCells``: before ``OverwriteCells`` in
  ``Autograde.sanitize_preprocessors``, it puts the checks back where the handout has them;
* ``inject_seed.InjectSeed``: before the execution, it gives the run the grader's seed;
* ``sandboxed_execute.SandboxedExecute``: in place of nbgrader's ``Execute``, it runs the
  notebook in a scratch folder under the grader's limits, in the kernel of
  ``grading.kernel.sandbox``;
* ``score_exports.ScoreExports``: before ``SaveAutoGrades``, it gives each check the verdict
  the grader computed from the exported predictions.
"""
