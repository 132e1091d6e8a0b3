#!/usr/bin/env bash
# Run one gradflow sweep as a Slurm job array: each array task runs one deterministic shard into
# its own folder; merge the shards afterwards.
#
#   sbatch --array=1-16 scripts/slurm-sweep.sh
#   npx gradflow merge out/shard-* --out out/merged && npx gradflow phase out/merged --metric transitions
#
# Edit MODEL, the axes, metrics and OUT below. Every task must use the same definition; merge
# refuses shards of different sweeps. A task that is preempted resumes where it stopped when
# re-queued (finished cells are never recomputed).
#SBATCH --job-name=gradflow-sweep
#SBATCH --cpus-per-task=4
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
MODEL=deep-linear
OUT=out
N=${SLURM_ARRAY_TASK_COUNT:?run as a job array}
K=${SLURM_ARRAY_TASK_ID:?run as a job array}
npx gradflow sweep "$MODEL" \
  --x eps=1e-4:1e-1:32:log --y s3=0.2:1.2:32 \
  --metric transitions --metric stage-ratio:3/1 \
  --shard "$K/$N" --workers "${SLURM_CPUS_PER_TASK:-1}" --out "$OUT/shard-$K"
