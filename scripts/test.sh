#!/usr/bin/env bash
# Set up the environment, then run every test: the unit tests, and both notebooks executed
# top to bottom under nbval, each followed by a second pass in the same kernel that re-runs
# every cell last to first (conftest.py). Extra arguments go to pytest.
#
# Two pytest-xdist workers share the work (TEST_WORKERS, default 2; 0 runs everything in
# this one process): each notebook runs whole on one worker (--dist loadfile keeps a file's
# items together and in order), the unit tests fill the gaps. The notebooks come first, the
# longest first, so that neither is left to run alone at the end. Each worker's torch then uses
# one thread (OMP_NUM_THREADS=1, unless set), so that the workers' thread pools do not fight
# over the cores; the notebooks print the same numbers with one thread as with two.
# OMP_WAIT_POLICY is left at its default: PASSIVE makes torch's many small steps on the
# CPU 2-3x slower.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
TEST_WORKERS=${TEST_WORKERS:-2}
if [ "$TEST_WORKERS" != 0 ]; then
    export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
fi
python -m pytest -n "$TEST_WORKERS" --dist loadfile \
    beyond_the_homework.ipynb recsys_homework.ipynb tests --nbval --nbval-sanitize-with nbval_sanitize.cfg "$@"
