#!/usr/bin/env bash
# Local embedding throughput: Engram's Swift all-MiniLM-L6-v2 (`engram bench embed`) beside the pure-numpy
# reference (../shared/tools/locomo-baseline/minilm_numpy.py, imported by path, not copied), on exactly the same
# LoCoMo dialogue turns, batch 32, with 1 and 2 threads; every run is a process of its own.
#
#   scripts/bench-embed.sh [--limit N] [--threads 1,2] [--batch-size 32] [--data path/to/locomo_dev.json]
#
# Needs the model files (scripts/setup.sh) and python3 with venv; numpy goes into .engram/bench-venv.
# ENGRAM_SCRATCH_PATH builds into another folder than .build (swift build --scratch-path).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd -P)"

limit=""
threads="1,2"
batch=32
data="../shared/datasets/locomo/locomo_dev.json"
while [ $# -gt 0 ]; do
    case "$1" in
        --limit) limit="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --batch-size) batch="$2"; shift 2 ;;
        --data) data="$2"; shift 2 ;;
        *) echo "bench-embed: unknown option $1 (use --limit, --threads, --batch-size, --data)" >&2; exit 64 ;;
    esac
done

model_dir="${ENGRAM_MODEL_DIR:-$ROOT/models/all-MiniLM-L6-v2}"
baseline="$ROOT/../shared/tools/locomo-baseline"
[ -f "$model_dir/model.safetensors" ] || { echo "bench-embed: no model in $model_dir; run ./scripts/setup.sh" >&2; exit 1; }
[ -f "$baseline/minilm_numpy.py" ] || { echo "bench-embed: $baseline/minilm_numpy.py is missing" >&2; exit 1; }
[ -f "$data" ] || { echo "bench-embed: LoCoMo file $data is missing; pass --data" >&2; exit 1; }

scratch="${ENGRAM_SCRATCH_PATH:-.build}"
echo "bench-embed: building engram (release, $scratch)..." >&2
swift build -c release --quiet --product engram --scratch-path "$scratch"

venv=".engram/bench-venv"
if ! "$venv/bin/python" -c "import numpy" 2>/dev/null; then
    echo "bench-embed: creating $venv with numpy..." >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet numpy >&2
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# numpy: MiniLM().encode(texts, batch_size) on the same turns, one process per thread count.
for count in ${threads//,/ }; do
    echo "bench-embed: numpy, $count thread(s)..." >&2
    OPENBLAS_NUM_THREADS="$count" OMP_NUM_THREADS="$count" MKL_NUM_THREADS="$count" MINILM_DIR="$model_dir" \
        "$venv/bin/python" - "$baseline" "$data" "${limit:-0}" "$batch" "$count" >"$results/numpy-$count.json" <<'PY'
import json, sys, time
baseline, data, limit, batch, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sys.path.insert(0, baseline)
from locomo_retrieval import load_conversations, turn_doc  # the baseline's own turn reading
from minilm_numpy import MiniLM

texts = [turn_doc(turn) for conversation in load_conversations(data) for turn in conversation["turns"]]
if limit > 0:
    texts = texts[:limit]
model = MiniLM()
start = time.perf_counter()
vectors = model.encode(texts, batch_size=batch)
seconds = time.perf_counter() - start
assert vectors.shape == (len(texts), 384)

def peak_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None

peak = peak_mib()  # before tokenizing again below, which allocates nothing large
tokens = sum(len(model.tokenize(text)[0]) for text in texts)
print(json.dumps({"threads": threads, "texts": len(texts), "inputTokens": tokens, "seconds": seconds,
                  "textsPerSecond": len(texts) / seconds, "peakRSSMiB": peak}))
PY
done

# Swift: the same turns (engram reads them the way locomo_retrieval.py does), one process per thread count.
for count in ${threads//,/ }; do
    echo "bench-embed: swift, $count thread(s)..." >&2
    args=(bench embed --data "$data" --batch-size "$batch" --threads "$count" --model-dir "$model_dir" --json)
    [ -n "$limit" ] && args+=(--limit "$limit")
    "$scratch/release/engram" "${args[@]}" >"$results/swift-$count.json"
done

python3 - "$results" "$threads" "$batch" <<'PY'
import json, os, sys
folder, threads, batch = sys.argv[1], [int(t) for t in sys.argv[2].split(",")], sys.argv[3]
rows = []
for count in threads:
    numpy_run = json.load(open(os.path.join(folder, "numpy-%d.json" % count)))
    swift = json.load(open(os.path.join(folder, "swift-%d.json" % count)))
    swift_run = swift["runs"][0]
    if (swift_run["texts"], swift["inputTokens"]) != (numpy_run["texts"], numpy_run["inputTokens"]):
        sys.exit("bench-embed: the inputs differ (swift %d texts, %d tokens; numpy %d texts, %d tokens)"
                 % (swift_run["texts"], swift["inputTokens"], numpy_run["texts"], numpy_run["inputTokens"]))
    rows.append(("numpy (minilm_numpy.py)", count, numpy_run, ""))
    ratio = swift_run["textsPerSecond"] / numpy_run["textsPerSecond"]
    rows.append(("swift (engram bench embed)", count, swift_run, "%.2fx" % ratio))
texts, tokens = rows[0][2]["texts"], rows[0][2]["inputTokens"]
print("all-MiniLM-L6-v2 on %d LoCoMo turns (%d input tokens, the same for both), batch %s" % (texts, tokens, batch))
print()
header = ("implementation", "threads", "seconds", "texts/s", "peak RSS", "swift/numpy")
table = [header] + [
    (name, str(count), "%.2f" % run["seconds"], "%.1f" % run["textsPerSecond"],
     "%.0f MiB" % run["peakRSSMiB"] if run.get("peakRSSMiB") else "-", ratio)
    for name, count, run, ratio in rows
]
widths = [max(len(row[i]) for row in table) for i in range(len(header))]
for row in table:
    print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
PY
