#!/bin/sh
# Training epoch time quiet and beside one busy process, for several OpenMP spin settings (docs/performance.md).
#
# Usage: samples/benchmark/under-load.sh CLASSIFY DATA_DIR VAL_DIR IMAGE_SIZE [ROUNDS] [SETTINGS...]
#   CLASSIFY   the classify binary (a Release publish: dotnet publish src/Classifier.Cli -c Release -o DIR)
#   SETTINGS   classify (what classify does: nothing, libgomp's default), default (GOMP_SPINCOUNT=300000), passive
#              (OMP_WAIT_POLICY=PASSIVE), one-thread (classify with --threads 1) or a number of spins;
#              default: classify default passive
# Each round runs every setting quiet and loaded, alternating, 3 epochs each; the figure is the median of epochs 2-3
# (cache warm). The busy process is a shell loop; both run at the same niceness (NICE, default 0; on a shared machine
# NICE=-15 keeps other users' jobs from being the load). Prints one line per run and a median table at the end.
set -eu
classify=$1 data=$2 val=$3 size=$4 rounds=${5:-3}
shift 4; [ $# -gt 0 ] && shift
settings=${*:-classify default passive}
nice=${NICE:-0}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "$(uptime)"
grep -o -w 'avx2\|avx512f\|avx512_bf16\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
run() {   # setting condition round
    threads=2
    case $1 in
        classify) envs="" ;;
        one-thread) envs="" threads=1 ;;
        default) envs="GOMP_SPINCOUNT=300000" ;;
        passive) envs="OMP_WAIT_POLICY=PASSIVE" ;;
        *) envs="GOMP_SPINCOUNT=$1" ;;
    esac
    spinner=""
    if [ "$2" = loaded ]; then
        nice -n "$nice" sh -c 'while :; do :; done' & spinner=$!
    fi
    dir="$out/$1-$2-$3"
    env $envs nice -n "$nice" "$classify" train "$data" --val "$val" --image-size "$size" --epochs 3 --threads "$threads" \
        --precision fp32 -o "$dir" > "$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
    [ -n "$spinner" ] && kill "$spinner"
    seconds=$(awk -F, 'NR==3{a=$7} NR==4{b=$7} END{m=(a<b)?a:b; M=(a<b)?b:a; printf "%.2f", (m+M)/2}' "$dir/history.csv")
    echo "$1 $2 $3 $seconds" | tee -a "$out/all.txt"
    rm -rf "$dir"
}
for r in $(seq 1 "$rounds"); do
    for s in $settings; do
        run "$s" quiet "$r"
        run "$s" loaded "$r"
    done
done
echo "$(uptime)"
echo "setting quiet_s loaded_s loaded/quiet (medians of $rounds rounds, epoch seconds at $size px)"
for s in $settings; do
    q=$(awk -v s="$s" '$1==s && $2=="quiet"{print $4}' "$out/all.txt" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    l=$(awk -v s="$s" '$1==s && $2=="loaded"{print $4}' "$out/all.txt" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    echo "$s $q $l $(awk -v q="$q" -v l="$l" 'BEGIN{printf "%.2f", l/q}')"
done
