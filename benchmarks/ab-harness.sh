#!/usr/bin/env bash
# Runs the harness cases of two builds side by side in one sitting, alternated, on the same files, so that a change
# can be judged against the code before it (docs/performance.md, "Before and after the one-core redesign").
#   benchmarks/ab-harness.sh BEFORE.dll AFTER.dll [ROUNDS]
# Use an even number of rounds. Each DLL is a Release build of benchmarks/BrainTools.Checkpoint.Benchmarks (for the
# "before" side, build it from a `git worktree add` of the older commit). Prints one RESULT line (JSON figures,
# medians of the case's own runs) per run of a case; files go to ${AB_DIR:-/tmp/braintools-ab} (about 9 GiB).
# Tabulate with: python3 benchmarks/ab-medians.py OUTPUT.txt
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: benchmarks/ab-harness.sh BEFORE.dll AFTER.dll [ROUNDS]" >&2; exit 2; }
before=$1 after=$2 rounds=${3:-3}
dir=${AB_DIR:-/tmp/braintools-ab}
mkdir -p "$dir"
dotnet "$after" harness-case prepare "$dir" 0 $((1 << 30)) > /dev/null
dotnet "$after" harness-case prepare-lazy "$dir" 0 $((100 << 20)) > /dev/null
dotnet "$after" harness-case prepare-lazy "$dir" 0 $((4 << 30)) > /dev/null
dotnet "$after" harness-case prepare-lazy-large "$dir" 0 $((4 << 30)) > /dev/null
for round in $(seq "$rounds"); do
  # Odd rounds run the older build first, even rounds the newer: the machine's drift between the two halves of a
  # round (writeback after the saves, the page cache) then falls on both sides alike.
  sides="before after"; [ $((round % 2)) -eq 0 ] && sides="after before"
  for side in $sides; do
    dll=$before; [ "$side" = after ] && dll=$after
    # The short cases run three times a round: one process's figure moves more between processes than between
    # builds, and these cost seconds.
    for spec in "save $((1 << 30)) 1" "load $((1 << 30)) 1" "lazy $((100 << 20)) 3" "lazy-large $((4 << 30)) 3" "lazy $((4 << 30)) 3" "tutorial 0 3"; do
      read -r name size times <<< "$spec"
      for _ in $(seq "$times"); do
        # The saves leave gigabytes for writeback: flushed first, so that no case (of either build) runs in the
        # writeback of the one before it.
        sync
        echo "$round $side $name $size $(dotnet "$dll" harness-case "$name" "$dir" 5 "$size" | grep RESULT)"
      done
    done
  done
done
