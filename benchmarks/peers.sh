#!/usr/bin/env bash
# Run python -m benchmarks.peers in its own environment (.venv-peers, git-ignored), creating or
# updating it from benchmarks/requirements-peers.txt first.
#
#   bash benchmarks/peers.sh                          # every row, seeds 0-4, writes results/
#   bash benchmarks/peers.sh --seeds 0 --only sr      # a cheap check, prints only
#   bash benchmarks/peers.sh --install-only           # just set up the environment
#
# PYTHON picks the interpreter for a new environment (default python3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-peers
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3.11}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r benchmarks/requirements-peers.txt
# The peers run on the CPU build of torch; refuse an environment holding a CUDA build.
"$venv/bin/python" -c '
import sys, torch
if torch.version.cuda is not None:
    sys.exit(f"torch {torch.__version__} in .venv-peers is a CUDA build; install the CPU build "
             "pinned in benchmarks/requirements-peers.txt")'
if [ "${1:-}" = "--install-only" ]; then
    exit 0
fi
exec nice -n 10 "$venv/bin/python" -m benchmarks.peers "$@"
