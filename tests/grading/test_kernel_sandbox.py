"""
The read/write rules of the kernel's audit hook (grading.kernel.sandbox's ``Policy``),
without a kernel (tests/grading/test_sandboxed_execute.py runs them in one).
"""

import pytest

from grading.kernel.sandbox import Policy


def test_the_kernels_may_write_only_in_their_scratch_folder(tmp_path):
    scratch, course, package = tmp_path / 'scratch', tmp_path / 'course', tmp_path / 'course' / 'package'
    policy = Policy([str(scratch)], [str(course)], [str(package)])
    policy.audit('open', (str(scratch / 'out.txt'), 'w', 0))
    policy.audit('open', (str(package / 'module.py'), 'r', 0))
    policy.audit('open', ('/etc/hostname', 'r', 0))
    policy.audit('socket.connect', (None, str(scratch / 'socket')))
    policy.audit('socket.bind', (None, ('127.0.0.1', 0)))
    for event, args, message in [
            ('open', (str(tmp_path / 'out.txt'), 'w', 0), 'writing'),
            ('open', (str(course / 'source.ipynb'), 'r', 0), 'reading'),
            ('open', (str(course / 'x'), None, 0o101), 'writing'),  # os.open(O_WRONLY | O_CREAT)
            ('os.listdir', (str(course),), 'reading'),
            ('os.rename', (str(scratch / 'a'), str(tmp_path / 'b'), None, None), 'writing'),
            ('subprocess.Popen', ('ls', ['ls'], None, None), 'starting programs'),
            ('socket.connect', (None, ('93.184.216.34', 80)), 'network'),
            ('socket.connect', (None, '/tmp/kabc/kernel-3'), 'local sockets'),
            ('os.kill', (1, 9), 'signalling')]:
        with pytest.raises(PermissionError, match=message):
            policy.audit(event, args)
