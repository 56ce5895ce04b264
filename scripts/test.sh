#!/usr/bin/env bash
# Set up the environment, then run every test: the unit tests and the notebook
# (executed top to bottom and checked by nbval). Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The notebook's metrics go to a scratch directory, leaving the committed results/ as is.
RECSYS_RESULTS_DIR=$(mktemp -d)
export RECSYS_RESULTS_DIR
trap 'rm -rf "$RECSYS_RESULTS_DIR"' EXIT
python -m pytest tests recsys_homework.ipynb --nbval-lax "$@"
