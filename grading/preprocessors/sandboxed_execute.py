"""
Executing a submission: nbgrader's ``Execute`` with the grader's limits.

``SandboxedExecute`` runs the notebook in a scratch folder of its own (removed afterwards)
in the kernel of ``grading.kernel.sandbox``, and adds what nbgrader's execution lacks:

* a time limit for the whole notebook besides nbgrader's per cell (``timeout``): the
  cells past it are not run, and say so;
* a limit on what one cell may print: the rest is dropped, with a note;
* a kernel that dies (a memory limit hit outside Python, an ``exit()``) stops the run with
  a reason in that cell and the ones after it, instead of failing the whole submission;
* the kernel's environment: the export folder for the hidden tests, its own copy of the
  MovieLens cache, the limits and the read/write rules of ``grading.kernel.sandbox``.

The names of the errors and notes it writes into the outputs, which the grader's reports
read back, are in ``grading.execute``.
"""

import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, List, Unicode

from ..execute import KERNEL_DIED_ERROR, NOT_RUN_ERROR, TIME_LIMIT_ERROR, TRUNCATED, network_isolation_available
from ..kernel import sandbox
from ..kernel.hidden import EXPORT_VARIABLE
from ..kernels import LocalSocketKernelManager

SANDBOX_MODULE = sandbox.__name__  # grading.kernel.sandbox, run with python -m


class SandboxedKernelManager(LocalSocketKernelManager):
    """Starts ``grading.kernel.sandbox`` instead of the kernelspec's command, in a network
    namespace of its own when ``isolate_network`` (its sockets are local ones, which need no
    network)."""

    isolate_network = Bool(False, help='run the kernel without network (needs unshare)').tag(config=True)
    kernel_environment = List(Unicode(), help='NAME=VALUE settings for the kernel').tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        """
        The command that starts the kernel.

        Returns
        -------
        list of str
            ``python -m grading.kernel.sandbox -f CONNECTION_FILE`` and ``extra_arguments``,
            behind ``unshare --map-root-user --net`` when ``isolate_network``.
        """
        command = [sys.executable, '-m', SANDBOX_MODULE, '-f', os.path.realpath(self.connection_file)]
        command += list(extra_arguments or [])
        return (['unshare', '--map-root-user', '--net'] if self.isolate_network else []) + command

    async def _async_pre_start_kernel(self, **kwargs):
        environment = dict(kwargs.pop('env', None) or os.environ)
        environment.update(setting.split('=', 1) for setting in self.kernel_environment)
        return await super()._async_pre_start_kernel(env=environment, **kwargs)


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` with the grader's limits (see the module)."""

    notebook_timeout = Integer(900, help='seconds for the whole notebook').tag(config=True)
    memory_limit = Integer(4 * 2 ** 30, help='bytes of address space for the kernel').tag(config=True)
    file_size_limit = Integer(2 ** 29, help='bytes: the largest file the kernel may write').tag(config=True)
    max_output_bytes = Integer(2 ** 20, help='bytes of output kept per cell').tag(config=True)
    isolate_network = Bool(True, help='run the kernel without network where unshare allows').tag(config=True)
    deny_reading = List(Unicode(), help='folders the kernel may not read').tag(config=True)
    allow_reading = List(Unicode(), help='folders inside deny_reading it may read').tag(config=True)
    data_files = List(Unicode(), help='MovieLens cache files copied into the scratch folder').tag(config=True)
    scratch_root = Unicode('', help='where the scratch folders go (default: the system\'s temporary folder)'
                           ).tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault('kernel_manager_class', SandboxedKernelManager)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        """
        Execute ``nb`` in a new scratch folder, removed afterwards, under the limits.

        Returns
        -------
        (NotebookNode, dict)
            The executed notebook, and ``resources`` with ``resources['grading']`` holding
            ``export_dir`` (the exports, moved out of the scratch folder for
            ``ScoreExports``) and ``outputs_dropped`` (``{cell index: bytes dropped}``).
        """
        scratch = Path(tempfile.mkdtemp(prefix='scratch-', dir=self.scratch_root or None))
        try:
            self._prepare(scratch, resources)
            return super().preprocess(nb, resources, km)
        finally:
            resources.setdefault('grading', {})['outputs_dropped'] = self._dropped
            self._keep_exports(scratch / 'exports', resources)
            shutil.rmtree(scratch, ignore_errors=True)

    def _prepare(self, scratch, resources):
        """The scratch folder, the kernel's settings and this run's limits."""
        for folder in ('work', 'tmp', 'exports', 'data/ml-100k', 'ipython'):
            (scratch / folder).mkdir(parents=True)
        for data_file in self.data_files:
            shutil.copy(data_file, scratch / 'data' / 'ml-100k')
        self._scratch, self._deadline, self._stopped, self._dropped = scratch, None, None, {}
        self.timeout_func = self._cell_timeout
        resources.setdefault('metadata', {})['path'] = str(scratch / 'work')
        self._environment = {
            EXPORT_VARIABLE: str(scratch / 'exports'), sandbox.SCRATCH_VARIABLE: str(scratch),
            sandbox.DENY_VARIABLE: os.pathsep.join(self.deny_reading),
            sandbox.ALLOW_VARIABLE: os.pathsep.join(self.allow_reading + [sys.prefix, sys.base_prefix]),
            sandbox.MEMORY_VARIABLE: str(self.memory_limit),
            sandbox.FILE_SIZE_VARIABLE: str(self.file_size_limit),
            'TMPDIR': str(scratch / 'tmp'), 'IPYTHONDIR': str(scratch / 'ipython'),
            'SPOTLIGHT_COMPAT_DATA': str(scratch / 'data'), 'HOME': str(scratch / 'work')}

    def _keep_exports(self, folder, resources):
        """Move the exports out of the scratch folder, for ScoreExports (which removes them)."""
        kept = Path(tempfile.mkdtemp(prefix='exports-', dir=self.scratch_root or None))
        for path in folder.glob('*'):
            if path.is_file() and not path.is_symlink():
                shutil.move(str(path), kept / path.name)
        resources['grading']['export_dir'] = str(kept)

    def create_kernel_manager(self):
        """
        nbclient's kernel manager, set up for this run.

        Returns
        -------
        SandboxedKernelManager
            With this run's environment, and network isolation where the platform allows.
        """
        km = super().create_kernel_manager()
        km.isolate_network = self.isolate_network and network_isolation_available()
        km.kernel_environment = [f'{name}={value}' for name, value in self._environment.items()]
        return km

    def _cell_timeout(self, cell):
        if self._deadline is None:
            self._deadline = time.monotonic() + self.notebook_timeout
        return max(1, math.ceil(min(self.timeout, self._deadline - time.monotonic())))

    def preprocess_cell(self, cell, resources, index):
        """
        Execute one cell, unless the run was stopped (the notebook's time limit reached, the
        kernel dead): then the cell's outputs say why it was not run.

        Returns
        -------
        (NotebookNode, dict)
            The cell, its outputs explained (which limit stopped it, what was dropped), and
            ``resources``.
        """
        if cell.cell_type != 'code' or not cell.source.strip():
            return cell, resources
        if self._stopped is None and self._deadline is not None and time.monotonic() >= self._deadline:
            self._stopped = f'not run: the notebook reached its time limit, {self.notebook_timeout} s'
        if self._stopped:
            cell.outputs = [_error(NOT_RUN_ERROR, self._stopped)]
            return cell, resources
        self._cell_bytes, self._cell_dropped = 0, 0
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            limit = f'{self.memory_limit / 2 ** 30:.1f} GiB'
            cell.outputs.append(_error(KERNEL_DIED_ERROR, 'the kernel died running this cell: it ran out of '
                                       f'memory (limit {limit}) or the code exited'))
            self._stopped = f'not run: the kernel died in an earlier cell (cell {index + 1} of the notebook)'
        if self._explain_timeout(cell) and self._stopped is None:
            self._stopped = f'not run: the notebook reached its time limit, {self.notebook_timeout} s'
        self._note_dropped(cell, index)
        return cell, resources

    def _explain_timeout(self, cell):
        """Say which limit stopped the cell; True when it was the notebook's."""
        whole = False
        for output in cell.outputs:
            if output.output_type == 'error' and output.ename == 'CellTimeoutError':
                whole = self._deadline is not None and time.monotonic() >= self._deadline - 1
                limit = (f'the notebook\'s time limit, {self.notebook_timeout} s' if whole
                         else f'the time limit per cell, {self.timeout} s')
                output.ename, output.evalue = TIME_LIMIT_ERROR, f'the cell was stopped: it ran past {limit}'
                output.traceback = [f'{TIME_LIMIT_ERROR}: {output.evalue}']
        return whole

    def _note_dropped(self, cell, index):
        """Say first (nbgrader's LimitOutput keeps the first lines) that output was dropped."""
        if self._cell_dropped:
            self._dropped[index] = self._cell_dropped
            cell.outputs.insert(0, new_output('stream', name='stdout', text=(
                f'{TRUNCATED}: the cell printed more than {self.max_output_bytes} bytes; '
                f'{self._cell_dropped} more bytes were dropped.\n')))

    def output(self, outs, msg, display_id, cell_index):
        """
        Keep an output message unless the cell has printed ``max_output_bytes`` already.

        Returns
        -------
        NotebookNode or None
            nbclient's output for the message; None when it is dropped (and counted).
        """
        size = len(str(msg.get('content', {})))
        if self._cell_bytes + size > self.max_output_bytes:
            self._cell_dropped += size
            return None
        self._cell_bytes += size
        return super().output(outs, msg, display_id, cell_index)


def _error(name, message):
    return new_output('error', ename=name, evalue=message, traceback=[f'{name}: {message}'])
