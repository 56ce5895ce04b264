#!/usr/bin/env bash
# Set up the environment, then run every test: the unit tests, and both notebooks executed
# top to bottom under nbval, each followed by a second pass in the same kernel that re-runs
# every cell last to first (conftest.py). Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
python -m pytest tests recsys_homework.ipynb beyond_the_homework.ipynb --nbval-lax "$@"
