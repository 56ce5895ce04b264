"""
The worker process that grades one student (grading.worker): the reason a failed submission
gets.
"""

from grading.worker import failure


def test_a_failed_submission_names_the_exception_nbgrader_logged():
    log = ('[AutogradeApp | ERROR] There was an error processing assignment\n'
           '    zmq.error.ZMQError: File name too long (addr=ipc:///very/long/path)\n')
    generic = 'Traceback (most recent call last):\nnbgrader.converters.base.NbGraderException: Please see above'
    assert failure(log, generic) == 'zmq.error.ZMQError: File name too long (addr=ipc:///very/long/path)'
    assert failure('', generic) == 'nbgrader.converters.base.NbGraderException: Please see above'
