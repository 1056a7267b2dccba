#!/bin/sh
# classify against PyTorch, fp32 and bf16, in one run: the comparison behind docs/performance.md's precision table.
#
# Usage: samples/benchmark/compare.sh CLASSIFY [ROUNDS] [MODEL] [IMAGE_SIZE] [SECONDS]
#   CLASSIFY  the classify binary (a Release publish: dotnet publish src/Classifier.Cli -c Release -o DIR)
#   defaults: 3 rounds, resnet18, 224 px, 10 s per measurement; batch 32, 2 threads.
# Each round runs `classify benchmark` (fp32 and, on a CPU with AVX512_BF16 or AMX, bf16 side by side) and
# samples/benchmark/pytorch_speed.py's full fine-tuning and inference modes in fp32 and under bf16 autocast, one after
# the other, so machine noise hits every row alike; the table gives the median of the rounds and the ratios of those
# medians. Needs python3 with torch and torchvision (Debian: apt-get install python3-torch python3-torchvision).
set -eu
classify=$1 rounds=${2:-3} model=${3:-resnet18} size=${4:-224} seconds=${5:-10}
python=${PYTHON:-/usr/bin/python3}   # Debian's, with python3-torch (a pyenv python3 on PATH may lack torch)
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "load before: $(uptime)"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) core(s);" \
     "flags: $(grep -o -w 'avx2\|avx512f\|avx512_bf16\|amx_bf16\|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"
for r in $(seq 1 "$rounds"); do
    echo "round $r of $rounds" >&2
    "$classify" benchmark --model "$model" --image-size "$size" --images 32 --batch-size 32 --eval-batch-size 32 \
        --threads 2 --seconds "$seconds" --format json > "$out/classify-$r.json" 2> "$out/classify-$r.log"
    for precision in fp32 bf16; do
        for mode in finetune inference; do
            "$python" "$here/pytorch_speed.py" --mode "$mode" --precision "$precision" --model "$model" \
                --image-size "$size" --batch-size 32 --threads 2 --seconds "$seconds" >> "$out/pytorch.jsonl"
        done
    done
done
echo "load after:  $(uptime)"
"$python" - "$out" "$rounds" <<'PY'
import glob, json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for path in sorted(glob.glob(f"{out}/classify-*.json")):
    for r in json.load(open(path)):
        rows.setdefault(("classify", "finetune", r["precision"]), []).append(r["train_ceiling_images_per_s"])
        rows.setdefault(("classify", "inference", r["precision"]), []).append(r["inference_ceiling_images_per_s"])
        rows.setdefault(("classify", "engine", r["precision"]), []).append(r["engine"])
for line in open(f"{out}/pytorch.jsonl"):
    r = json.loads(line)
    rows.setdefault(("pytorch", r["mode"], r["precision"]), []).append(r["images_per_s"])
med = {k: statistics.median(v) for k, v in rows.items() if k[1] != "engine"}
print(f"\nimages/s, median of {rounds} round(s)      fp32      bf16   bf16/fp32")
for who in ("pytorch", "classify"):
    for mode in ("finetune", "inference"):
        a, b = med.get((who, mode, "fp32")), med.get((who, mode, "bf16"))
        engine = ""
        if who == "classify" and mode == "inference":
            engine = " (engine: " + "/".join(rows.get(("classify", "engine", p), ["-"])[0] for p in ("fp32", "bf16") if ("classify", "engine", p) in rows) + ")"
        print(f"{who:9} {mode:10}               {a or 0:9.1f} {b or 0:9.1f}   {(b / a if a and b else 0):9.2f}{engine}")
def ratio(x, y):
    return f"{med[x] / med[y]:.2f}x" if x in med and y in med else "-"
print("\nclassify over PyTorch:")
print("  fine-tuning: classify bf16 / PyTorch fp32", ratio(("classify", "finetune", "bf16"), ("pytorch", "finetune", "fp32")),
      "(target >= 2.0);  classify bf16 / PyTorch bf16", ratio(("classify", "finetune", "bf16"), ("pytorch", "finetune", "bf16")),
      "(target >= 1.0);  classify fp32 / PyTorch fp32", ratio(("classify", "finetune", "fp32"), ("pytorch", "finetune", "fp32")))
print("  inference:   classify bf16 / PyTorch fp32", ratio(("classify", "inference", "bf16"), ("pytorch", "inference", "fp32")),
      "(target >= 2.0);  classify fp32 / PyTorch fp32", ratio(("classify", "inference", "fp32"), ("pytorch", "inference", "fp32")),
      ";  classify bf16 / PyTorch bf16", ratio(("classify", "inference", "bf16"), ("pytorch", "inference", "bf16")))
PY
