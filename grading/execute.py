"""
What the grader's execution of a submission (``grading.preprocessors.sandboxed_execute``)
and the grader's reports (``grading.course``) share: whether the kernel can run without
network here, and the names of the errors and notes the execution writes into a cell's
outputs, which ``reasons.csv`` reads back.
"""

import subprocess
from functools import lru_cache

TIME_LIMIT_ERROR = 'TimeLimitExceeded'
NOT_RUN_ERROR = 'NotRun'
KERNEL_DIED_ERROR = 'KernelDied'
TRUNCATED = '[grader] output truncated'


@lru_cache(maxsize=1)
def network_isolation_available():
    """
    Whether ``unshare --user --net`` works here (unprivileged user namespaces).

    Returns
    -------
    bool
        True when a process can be started in a network namespace of its own (the result is
        cached for the process).
    """
    try:
        return subprocess.run(['unshare', '--map-root-user', '--net', 'true'], capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
