"""
Kernels that talk over local (IPC) sockets instead of TCP on localhost.

jupyter_client starts kernels on TCP ports by default, which any local user can reach and
which ipykernel (7.x) warns about on every start ("Kernel is running over TCP without
encryption"). The kernels this project starts itself (papermill's in
``scripts/run_notebook.py``, the grader's sandboxed ones) use unix sockets instead, in a
private folder of their own under the system's temporary folder: a short path, since a
socket's path may not exceed 107 bytes, removed when the kernel shuts down.
"""

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager

SOCKET_FOLDER_ROOT = '/tmp' if os.path.isdir('/tmp') else None


class LocalSocketKernelManager(AsyncKernelManager):
    """jupyter_client's ``AsyncKernelManager`` (as nbclient and papermill use it), its sockets
    in a private folder (mode 0700) instead of TCP ports."""

    def __init__(self, **kwargs):
        self._socket_folder = tempfile.mkdtemp(prefix='k', dir=SOCKET_FOLDER_ROOT)
        kwargs.setdefault('transport', 'ipc')
        kwargs.setdefault('ip', os.path.join(self._socket_folder, 'kernel'))
        super().__init__(**kwargs)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._socket_folder, ignore_errors=True)
