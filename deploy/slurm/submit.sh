#!/bin/bash
# Submits the shard array, then the merge step that runs only if every
# shard succeeds.
set -euo pipefail
cd "$(dirname "$0")"
array=$(sbatch --parsable shards.sbatch)
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" merge.sbatch)
echo "shards: job $array, merge: job ${merge%%;*}"
