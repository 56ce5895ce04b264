#!/usr/bin/env bash
# Execute the whole notebook on CUDA (DEVICE='cuda' injected; no code changes) and print
# the time per section and every metric, for comparison with the CPU run.
# Needs an NVIDIA GPU and the packages of requirements.txt. Usage: bash benchmarks/gpu_check.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/recsys_gpu}
mkdir -p "$out"
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name(0))"
python scripts/run_notebook.py --device cuda --output "$out/recsys_homework_cuda.ipynb" \
    --results-dir "$out" --timing-json "$out/timing.json"
python - "$out/metrics.json" <<'PY'
import json, sys
for row in json.load(open(sys.argv[1])):
    print(f"{row['metric']:<5} {row['value']:.4f}  {row['train_seconds']:6.2f} s  {row['model']}")
PY
