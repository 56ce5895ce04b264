#!/usr/bin/env bash
# Set up the environment, then execute the notebook end to end (headless), save it
# in place with its outputs and export it as HTML. Extra arguments go to run_notebook.py.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
python scripts/run_notebook.py --html results/recsys_homework.html "$@"
