"""
The kernel a submission runs in: an IPython kernel under the grader's limits.

``python -m grading.kernel.sandbox -f CONNECTION_FILE`` sets the process's resource limits
(address space, file size, no core dumps), installs a Python audit hook, then starts
``ipykernel``. ``grading.preprocessors.sandboxed_execute`` launches it with the settings in
environment variables (``RECSYS_GRADING_*``, named here) and, where unprivileged user
namespaces exist, inside ``unshare --net``: a network namespace of its own, with no
interface up.

The audit hook refuses, with a ``PermissionError`` naming the path and the rule:

* writing, creating, renaming or removing files outside the submission's scratch folder;
* reading or listing the folders the grader names (the course folder with the solution,
  the other submissions, the project's notebooks), but for the code the kernel imports;
* starting programs (``subprocess``, ``os.system``, ``os.exec*``), signalling other
  processes, connecting to network addresses, and local sockets outside the scratch folder
  (another kernel's, say).

An audit hook is not a security boundary: code that loads C libraries through ``ctypes``
can get around it. It keeps honest mistakes and casual attempts out of the grade; for
untrusted code at scale, run the grader in a container (README).
"""

import os
import resource
import sys
import threading

MEMORY_VARIABLE = 'RECSYS_GRADING_MEMORY'
FILE_SIZE_VARIABLE = 'RECSYS_GRADING_FILE_SIZE'
SCRATCH_VARIABLE = 'RECSYS_GRADING_SCRATCH'
DENY_VARIABLE = 'RECSYS_GRADING_DENY'
ALLOW_VARIABLE = 'RECSYS_GRADING_ALLOW'
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
ALWAYS_WRITABLE = ('/dev/null', '/dev/shm', '/dev/tty', '/dev/urandom')
PATH_EVENTS = {'os.remove': (0,), 'os.rmdir': (0,), 'os.mkdir': (0,), 'os.rename': (0, 1),
               'os.symlink': (1,), 'os.link': (1,), 'os.chmod': (0,), 'os.chown': (0,),
               'os.truncate': (0,), 'os.utime': (0,), 'shutil.rmtree': (0,), 'os.mkfifo': (0,),
               'os.mknod': (0,), 'os.setxattr': (0,), 'os.removexattr': (0,)}
LISTING_EVENTS = ('os.listdir', 'os.scandir')
PROGRAM_EVENTS = ('subprocess.Popen', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn', 'os.forkpty',
                  'pty.spawn')
NETWORK_EVENTS = ('socket.connect', 'socket.sendto', 'socket.sendmsg')


class Policy:
    """
    What a submission's kernel may touch.

    Parameters
    ----------
    writable: list of str
        Folders the kernel may write in (the scratch folder).
    denied: list of str
        Folders the kernel may not read or list.
    allowed: list of str
        Folders inside ``denied`` it may read all the same (the code it imports).
    """

    def __init__(self, writable, denied, allowed):
        self.writable = [_real(path) for path in writable] + list(ALWAYS_WRITABLE)
        self.denied = [_real(path) for path in denied]
        self.allowed = [_real(path) for path in allowed] + self.writable

    def check_read(self, path):
        """
        Refuse reading ``path`` when it lies in a denied folder and not in an allowed one.

        Raises
        ------
        PermissionError
            When the kernel may not read ``path``.
        """
        real = _real(path)
        if _under(real, self.denied) and not _under(real, self.allowed):
            raise PermissionError(f'grading: reading {path} is not allowed: a submission may not read the '
                                  'course\'s files (the solution, the other submissions)')

    def check_write(self, path):
        """
        Refuse writing ``path`` outside the writable folders.

        Raises
        ------
        PermissionError
            When the kernel may not write ``path``.
        """
        if not _under(_real(path), self.writable):
            raise PermissionError(f'grading: writing {path} is not allowed: a submission may write only in '
                                  f'its working directory, {self.writable[0]}')

    def audit(self, event, args):
        """
        The audit hook's decision for one event (``sys.addaudithook``'s arguments).

        Raises
        ------
        PermissionError
            When the policy refuses the event; returns None when it allows it.
        """
        if event == 'open':
            self._open(*args[:3])
        elif event in PATH_EVENTS:
            for position in PATH_EVENTS[event]:
                if _is_path(args[position]):
                    self.check_write(args[position])
        elif event in LISTING_EVENTS:
            if args and _is_path(args[0]):
                self.check_read(args[0])
        elif event.startswith(PROGRAM_EVENTS):
            raise PermissionError(f'grading: starting programs is not allowed ({event})')
        elif event in NETWORK_EVENTS or event == 'socket.bind':
            self._socket(event, args[-1] if len(args) > 1 else None)
        elif event in ('os.kill', 'os.killpg'):
            self._signal(event, args[0])

    def _open(self, path, mode, flags):
        if not _is_path(path):
            return
        writes = any(c in mode for c in 'wax+') if isinstance(mode, str) else bool((flags or 0) & WRITE_FLAGS)
        (self.check_write if writes else self.check_read)(path)

    def _socket(self, event, address):
        """Network addresses are refused; local (unix) sockets only inside the scratch folder."""
        if isinstance(address, tuple) and event != 'socket.bind':
            raise PermissionError(f'grading: network access is not allowed ({event} {address!r})')
        if _is_path(address) and address and not _under(_real(address), self.writable):
            raise PermissionError(f'grading: local sockets outside the working directory are not allowed '
                                  f'({event} {address!r})')

    def _signal(self, event, pid):
        if pid in (0, os.getpid()) or _parent_of(pid) == os.getpid():
            return
        raise PermissionError(f'grading: signalling other processes is not allowed ({event} {pid})')


def _is_path(value):
    return isinstance(value, (str, bytes, os.PathLike))


def _real(path):
    path = os.fsdecode(path)
    return os.path.realpath(path)


def _under(path, roots):
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _parent_of(pid):
    try:
        with open(f'/proc/{pid}/stat', 'rb') as stat:
            return int(stat.read().rsplit(b')', 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def install(policy):
    """Install ``policy`` as an audit hook (it cannot be removed afterwards)."""
    state = threading.local()

    def hook(event, args):
        if getattr(state, 'busy', False):
            return
        state.busy = True
        try:
            policy.audit(event, args)
        finally:
            state.busy = False

    sys.addaudithook(hook)


def set_limits(memory_bytes, file_size_bytes):
    """Limit the address space and the size of any file written; no core dumps."""
    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_FSIZE, file_size_bytes),
                         (resource.RLIMIT_CORE, 0)):
        if value is not None:
            resource.setrlimit(limit, (value, value))


def policy_from_environment(environ=os.environ):
    """
    The policy the grader described in the environment.

    Returns
    -------
    Policy
        Writable: the scratch folder (else the working directory); denied and allowed: the
        folders the grader named.
    """
    split = lambda name: [path for path in environ.get(name, '').split(os.pathsep) if path]  # noqa: E731
    return Policy(split(SCRATCH_VARIABLE) or [os.getcwd()], split(DENY_VARIABLE), split(ALLOW_VARIABLE))


def main():
    """
    Set the limits and install the policy the environment describes, then run ``ipykernel``
    (its command line, ``-f CONNECTION_FILE``, in ``sys.argv``); returns when the kernel stops.
    """
    memory = os.environ.get(MEMORY_VARIABLE)
    file_size = os.environ.get(FILE_SIZE_VARIABLE)
    set_limits(int(memory) if memory else None, int(file_size) if file_size else None)
    install(policy_from_environment())
    from ipykernel.kernelapp import launch_new_instance
    launch_new_instance()


if __name__ == '__main__':
    main()
