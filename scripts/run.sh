#!/usr/bin/env bash
# Set up the environment, then execute both notebooks end to end (headless, the homework
# first), save them in place with their outputs and export them as HTML into results/.
# Extra arguments go to run_notebook.py (e.g. --seed 3 --output ... for a scratch run of one).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
for notebook in recsys_homework beyond_the_homework; do
    echo "== $notebook.ipynb"
    python scripts/run_notebook.py "$notebook.ipynb" --html "results/$notebook.html" "$@"
done
