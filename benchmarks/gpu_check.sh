#!/usr/bin/env bash
# Execute the whole notebook on CUDA (DEVICE='cuda' injected; no code changes) and print
# the time per section and every metric, for comparison with the CPU run.
#
# Usage: bash benchmarks/gpu_check.sh [OUT_DIR]
# Needs an NVIDIA GPU and PyTorch with the packages of requirements.txt. Where Jupyter or
# the network is missing (a bare GPU machine), first run bash benchmarks/gpu_prepare.sh
# where pip works and bring its .whl/ and data/ along: this script then installs the
# wheels into a scratch directory and reads MovieLens from data/.
# GPU_CHECK_DEVICE=cpu runs the same steps on the CPU, to try them without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/recsys_gpu}
device=${GPU_CHECK_DEVICE:-cuda}
mkdir -p "$out"

if ! python -c 'import nbclient, nbformat, ipykernel' 2>/dev/null; then
    if [ ! -d .whl ]; then
        echo "nbclient, nbformat or ipykernel is missing and there is no .whl/:" \
             "run bash benchmarks/gpu_prepare.sh where pip works and bring .whl/ here" >&2
        exit 1
    fi
    site=$(mktemp -d)
    python -m pip install -q --no-index --no-deps --no-compile --target "$site" .whl/*.whl
    export PYTHONPATH=$site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}  # spotlight_compat, installed or not
if [ -z "${SPOTLIGHT_COMPAT_DATA:-}" ] && [ -f data/ml-100k/u.data ]; then
    export SPOTLIGHT_COMPAT_DATA=$PWD/data
fi

python - "$device" <<'PY'
import sys, torch
if sys.argv[1] == 'cuda':
    assert torch.cuda.is_available(), 'no CUDA device'
    print(torch.cuda.get_device_name(0), 'torch', torch.__version__)
else:
    print('device', sys.argv[1], 'torch', torch.__version__)
PY
python scripts/run_notebook.py --device "$device" --output "$out/recsys_homework_$device.ipynb" \
    --results-dir "$out" --timing-json "$out/timing.json"
python - "$out/metrics.json" <<'PY'
import json, sys
for row in json.load(open(sys.argv[1])):
    print(f"{row['metric']:<5} {row['value']:.4f}  {row['train_seconds']:6.2f} s  {row['model']}")
PY
