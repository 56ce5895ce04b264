"""
nbgrader's configuration for the homework (``scripts/grade.py`` and nbgrader's own commands).

``scripts/grade.py`` writes a course folder whose ``nbgrader_config.py`` loads this file and
adds the grading run's settings (its seed, the grading key, the folders the kernels may not
read), so ``nbgrader autograde``, ``generate_feedback``, ``export`` or ``formgrader`` run in
that folder do what the script did. The steps are nbgrader's own, with the preprocessors of
``grading.preprocessors`` (one per module) where nbgrader lacks something:

* ``generate_assignment``: the solution-only cells (tagged ``solution`` or ``check``) go
  first; the solution regions become ``pass``, as in the course handout;
* ``autograde``: the checks are put back where the handout has them (``NormalizeCells``),
  the run gets the grader's seed (``InjectSeed``), executes under time, memory and output
  limits in a scratch folder (``SandboxedExecute``), and each check gets the verdict the
  grader computed from the exported predictions (``ScoreExports``);
* ``export``: ``grades.csv`` with a column per graded task (``grading.export``).
"""

from nbgrader.converters import Autograde, GenerateAssignment
from nbgrader.preprocessors import Execute, OverwriteCells, SaveAutoGrades

from grading.preprocessors.inject_seed import InjectSeed
from grading.preprocessors.normalize_cells import NormalizeCells
from grading.preprocessors.remove_solution_only_cells import RemoveSolutionOnlyCells
from grading.preprocessors.sandboxed_execute import SandboxedExecute
from grading.preprocessors.score_exports import ScoreExports

c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)


def defaults(converter, name):
    """nbgrader's own list of preprocessors for a step."""
    return list(converter.class_traits()[name].default())


def inserted(steps, before, *new):
    """``steps`` with ``new`` inserted before the step ``before``."""
    index = steps.index(before)
    return steps[:index] + list(new) + steps[index:]


c.CourseDirectory.course_id = 'recsys'

c.GenerateAssignment.preprocessors = [RemoveSolutionOnlyCells] + defaults(GenerateAssignment, 'preprocessors')
c.ClearSolutions.code_stub = {'python': 'pass'}
c.ClearSolutions.enforce_metadata = True

c.Autograde.sanitize_preprocessors = inserted(defaults(Autograde, 'sanitize_preprocessors'),
                                              OverwriteCells, NormalizeCells)
autograde = defaults(Autograde, 'autograde_preprocessors')
autograde[autograde.index(Execute)] = SandboxedExecute
c.Autograde.autograde_preprocessors = inserted(inserted(autograde, SandboxedExecute, InjectSeed),
                                               SaveAutoGrades, ScoreExports)

# Limits per submission (scripts/grade.py overrides them from its options).
c.SandboxedExecute.timeout = 300             # seconds per cell
c.SandboxedExecute.notebook_timeout = 900    # seconds for the whole notebook
c.SandboxedExecute.memory_limit = 4 * 2 ** 30
c.SandboxedExecute.max_output_bytes = 2 ** 20
c.SandboxedExecute.isolate_network = True
c.SandboxedExecute.error_on_timeout = {
    'ename': 'CellTimeoutError', 'evalue': 'the cell ran past its time limit',
    'traceback': ['CellTimeoutError: the cell ran past its time limit']}
c.LimitOutput.max_lines = 300

c.ExportApp.plugin_class = 'grading.export.TaskCsvExport'
