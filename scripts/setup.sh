# Sourced by the other scripts: create (once) and activate the virtual environment
# in .venv, install the pinned requirements into it, and fetch MovieLens 100K into the
# data cache (once), so that the download's log goes to this terminal and never into a
# notebook's outputs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --disable-pip-version-check -r requirements.txt
python -c "from spotlight_compat.datasets.movielens import get_movielens_dataset as fetch; fetch('100K')"
