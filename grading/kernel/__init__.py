"""
What runs inside the student's kernel: the other side of the grader's boundary.

* ``hidden``: the exports the hidden tests call in the student's notebook (the names of the
  files they write and of the variable naming their folder, which the grader reads);
* ``sandbox``: the process the kernel runs in, ``python -m grading.kernel.sandbox``: its
  resource limits and audit hook, described by the grader in environment variables whose
  names it defines.

The student's code can redefine or read whatever this package holds, so nothing here
imports from the grader's side of ``grading`` (the key, the scoring, the course folder):
the grader imports the names it shares with the kernel from here, never the other way.
``tests/grading/test_kernel_boundary.py`` checks it.
"""
