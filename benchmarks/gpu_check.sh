#!/usr/bin/env bash
# Execute both notebooks on CUDA (DEVICE='cuda' injected; no code changes), then on the
# same machine's CPU, and print both runs side by side: the time per section with the ratio,
# and every metric. The table is also written to OUT_DIR/gpu.md (commit it as results/gpu.md).
#
# Usage: bash benchmarks/gpu_check.sh [OUT_DIR]
# Needs an NVIDIA GPU and PyTorch with the packages of requirements.txt. Where Jupyter or
# the network is missing (a bare GPU machine), first run bash benchmarks/gpu_prepare.sh
# where pip works and bring its .whl/ and data/ along: this script then installs the
# wheels into a scratch directory and reads MovieLens from data/.
# GPU_CHECK_DEVICES='cpu' runs the steps on the CPU only, to try them without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/recsys_gpu}
devices=${GPU_CHECK_DEVICES:-cuda cpu}
mkdir -p "$out"

if ! python -c 'import papermill, nbclient, nbformat, ipykernel' 2>/dev/null; then
    if [ ! -d .whl ]; then
        echo "papermill, nbclient, nbformat or ipykernel is missing and there is no .whl/:" \
             "run bash benchmarks/gpu_prepare.sh where pip works and bring .whl/ here" >&2
        exit 1
    fi
    site=$(mktemp -d)
    python -m pip install -q --no-index --no-deps --no-compile --target "$site" .whl/*.whl
    export PYTHONPATH=$site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}  # spotlight_compat and recsys_models, installed or not
if [ -z "${SPOTLIGHT_COMPAT_DATA:-}" ] && [ -f data/ml-100k/u.data ]; then
    export SPOTLIGHT_COMPAT_DATA=$PWD/data
fi

python - $devices <<'PY'
import sys, torch
if 'cuda' in sys.argv[1:]:
    assert torch.cuda.is_available(), 'no CUDA device'
    print(torch.cuda.get_device_name(0), 'torch', torch.__version__)
else:
    print('devices', *sys.argv[1:], 'torch', torch.__version__)
PY
for device in $devices; do
    for notebook in recsys_homework beyond_the_homework; do
        python scripts/run_notebook.py "$notebook.ipynb" --device "$device" \
            --output "$out/${notebook}_$device.ipynb" --results-dir "$out/$device" \
            --timing-json "$out/$device/timing_$notebook.json"
    done
done
python - "$out" $devices <<'PY'
import json, sys, torch
from pathlib import Path
out, devices = Path(sys.argv[1]), sys.argv[2:]
notebooks = ('recsys_homework', 'beyond_the_homework')
timing = {}
for d in devices:
    runs = [json.loads((out / d / f'timing_{n}.json').read_text()) for n in notebooks]
    timing[d] = {'sections': {f'{n}: {s}': v for n, run in zip(notebooks, runs) for s, v in run['sections'].items()},
                 'total': sum(run['total'] for run in runs)}
metrics = {d: {row['model']: row for f in ('metrics.json', 'beyond_metrics.json')
               for row in json.loads((out / d / f).read_text())} for d in devices}
name = torch.cuda.get_device_name(0) if 'cuda' in devices else 'CPU only'
lines = [f'Both notebooks, seed 0, on {name} (torch {torch.__version__}): `bash benchmarks/gpu_check.sh`.', '',
         '| section | ' + ' | '.join(f'{d} s' for d in devices)
         + (' | cuda / cpu |' if len(devices) == 2 else ' |'),
         '|---|' + '---|' * (len(devices) + (len(devices) == 2))]
sections = list(timing[devices[0]]['sections']) + ['total']
for section in sections:
    seconds = [timing[d]['total'] if section == 'total' else timing[d]['sections'].get(section, 0.0)
               for d in devices]
    ratio = f' | {seconds[0] / seconds[1]:.2f}' if len(devices) == 2 and seconds[1] else ''
    lines.append(f'| {section} | ' + ' | '.join(f'{s:.1f}' for s in seconds) + ratio + ' |')
lines += ['', '| metric | model | ' + ' | '.join(devices) + ' |', '|---|---|' + '---|' * len(devices)]
for model, row in metrics[devices[0]].items():
    lines.append(f"| {row['metric']} | {model} | "
                 + ' | '.join(f"{metrics[d][model]['value']:.4f}" for d in devices) + ' |')
text = '\n'.join(lines) + '\n'
(out / 'gpu.md').write_text(text)
print(text)
PY
