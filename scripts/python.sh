#!/usr/bin/env bash
# Builds the Python module: installs what is missing (as root), builds it
# optimized into build/python/lockstep, and imports it once. Then:
#   PYTHONPATH=build/python /usr/bin/python3 -c "import lockstep"
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh pybind11-dev python3-dev python3-numpy
cmake --preset python >/dev/null
cmake --build --preset python -j "$(nproc)"
PYTHONPATH=build/python /usr/bin/python3 -c \
  "import lockstep; print('lockstep', lockstep.__version__, 'built: PYTHONPATH=build/python')"
