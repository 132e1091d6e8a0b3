#!/usr/bin/env bash
# Run one gradflow sweep as N shards with GNU parallel (on one machine, or across machines with
# parallel's --sshlogin), then merge them and draw the phase diagram.
#
#   bash scripts/parallel-sweep.sh 8
set -euo pipefail
N=${1:-4}
OUT=${OUT:-out}
seq 1 "$N" | parallel --halt now,fail=1 \
  npx gradflow sweep deep-linear --x eps=1e-4:1e-1:32:log --y s3=0.2:1.2:32 \
    --metric transitions --metric stage-ratio:3/1 \
    --shard {}/"$N" --workers 1 --out "$OUT/shard-{}"
npx gradflow merge "$OUT"/shard-* --out "$OUT/merged"
npx gradflow phase "$OUT/merged" --metric transitions
