#!/usr/bin/env bash
# Set up the environment, then run every test: the unit tests and the notebook
# (executed top to bottom and checked by nbval). Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
python -m pytest tests recsys_homework.ipynb --nbval-lax "$@"
