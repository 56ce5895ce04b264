#!/usr/bin/env bash
# Prepare benchmarks/gpu_check.sh for a GPU machine that has PyTorch and the scientific
# Python stack but neither Jupyter nor network access. Run this where pip works:
#   - .whl/  gets the wheels that executing the notebooks needs (papermill, nbclient,
#            nbformat, ipykernel and their dependencies, versions from requirements.txt), for
#            Python $PYTHON_VERSION (default 3.12) on x86-64 Linux;
#   - data/  gets the MovieLens 100K files from this machine's cache (fetched first if
#            needed), for SPOTLIGHT_COMPAT_DATA there.
# Both folders are git-ignored: MovieLens may not be redistributed. Bring both to the GPU
# machine with the working tree, then run: bash benchmarks/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python_version=${PYTHON_VERSION:-3.12}

mkdir -p .whl
python -m pip download -q --only-binary=:all: --python-version "$python_version" --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
    -d .whl $(grep -E '^(papermill|nbclient|nbformat|ipykernel|pandas|threadpoolctl)==' requirements.txt)
# The GPU machine's own numpy is the one its torch, scipy and scikit-learn were built against.
rm -f .whl/numpy-*.whl

cache=$(python - <<'PY'
from spotlight_compat.datasets.cache import cache_dir
from spotlight_compat.datasets.movielens import get_movielens_dataset, get_movielens_item_titles
get_movielens_dataset('100K')
get_movielens_item_titles()
print(cache_dir() / 'ml-100k')
PY
)
mkdir -p data/ml-100k
cp "$cache/u.data" "$cache/u.user" "$cache/items.tsv" data/ml-100k/
echo "$(ls .whl | wc -l) wheels in .whl/, MovieLens 100K in data/ml-100k/"
