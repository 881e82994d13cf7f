#!/usr/bin/env bash
# Coverage-guided fuzzing with SharpFuzz + AFL++ (docs/fuzzing.md).
#   fuzz/run.sh TARGET SECONDS   fuzz one target (deserialize, open, safetensors, npz, manifest) for SECONDS
#   fuzz/run.sh all SECONDS      each target in turn, SECONDS each (or a list: fuzz/run.sh open,npz 60)
# Builds the targets, instruments the library with sharpfuzz, runs afl-fuzz on the
# checked-in seeds (fuzz/corpus/TARGET) and prints execs and corpus size. Exits 1 when AFL saved a crash: the
# inputs are copied to artifacts/fuzz/crashes/TARGET, to be fixed and added to fuzz/regressions/TARGET.
# Environment: FUZZ_NICE (default 19), FUZZ_TIMEOUT_MS (default 5000), FUZZ_OUT (default artifacts/fuzz);
# FUZZ_SEED fixes AFL's random seed and FUZZ_EXECS stops a target after about that many executions (SECONDS still
# caps it), so that a CI run mutates the same inputs each time instead of drawing new ones.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

targets=(deserialize open safetensors npz manifest)
if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh TARGET|all SECONDS   (targets: ${targets[*]})" >&2; exit 2
fi
if [ "$1" = all ]; then selected=("${targets[@]}"); else IFS=, read -r -a selected <<<"$1"; fi
for target in "${selected[@]}"; do
  [[ " ${targets[*]} " == *" $target "* ]] || { echo "unknown target '$target' (targets: ${targets[*]})" >&2; exit 2; }
done
seconds=$2
out="${FUZZ_OUT:-$root/artifacts/fuzz}"
nice_level="${FUZZ_NICE:-19}"
timeout_ms="${FUZZ_TIMEOUT_MS:-5000}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# AFL++ from Debian and the sharpfuzz tool from the tool manifest (.config/dotnet-tools.json).
if ! command -v afl-fuzz > /dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq afl++ > /dev/null
fi
dotnet tool restore > /dev/null

# A fresh build each time: sharpfuzz instruments in place and refuses an assembly twice.
mkdir -p "$out"
bin="$out/bin"
rm -rf "$bin"
dotnet publish fuzz/BrainTools.Checkpoint.Fuzz/BrainTools.Checkpoint.Fuzz.csproj -c Release -o "$bin" -v quiet -nologo > "$out.publish.log" 2>&1 \
  || { cat "$out.publish.log"; exit 1; }
# Every reader under fuzzing (msgpack, safetensors, npz, the manifest) is in the library.
dotnet tool run sharpfuzz "$bin/BrainTools.Checkpoint.dll" > /dev/null

# dotnet is not an AFL binary (the instrumentation is in the assemblies); no UI on a log; a shared machine: no CPU
# pinning; crashes are seen through SharpFuzz's status pipe, not core dumps. The heap limit turns a memory
# blow-up into an OutOfMemoryException, which is a crash.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_FORKSRV_INIT_TMOUT=120000
export DOTNET_GCHeapHardLimit=0x40000000

# The targets' scratch files (inputs written for path-based entry points), in memory, removed on exit.
scratch_root=/dev/shm; [ -d "$scratch_root" ] || scratch_root="${TMPDIR:-/tmp}"
BRAINTOOLS_FUZZ_SCRATCH=$(mktemp -d "$scratch_root/braintools-fuzz-run.XXXXXX"); export BRAINTOOLS_FUZZ_SCRATCH
trap 'rm -rf "$BRAINTOOLS_FUZZ_SCRATCH"' EXIT
trap 'exit 143' TERM INT

status=0
for target in "${selected[@]}"; do
  findings="$out/findings/$target"
  rm -rf "$findings"
  mkdir -p "$findings"
  echo "fuzz: $target for ${seconds}s"
  dictionary=(); [ -f "fuzz/dictionaries/$target.dict" ] && dictionary=(-x "fuzz/dictionaries/$target.dict")
  budget=(-V "$seconds"); [ -n "${FUZZ_SEED:-}" ] && budget+=(-s "$FUZZ_SEED"); [ -n "${FUZZ_EXECS:-}" ] && budget+=(-E "$FUZZ_EXECS")
  nice -n "$nice_level" afl-fuzz -i "fuzz/corpus/$target" -o "$findings" "${dictionary[@]}" "${budget[@]}" -t "$timeout_ms" -m none \
    -- dotnet "$bin/BrainTools.Checkpoint.Fuzz.dll" "$target" > "$findings.log" 2>&1 \
    || { tail -30 "$findings.log"; echo "fuzz: afl-fuzz failed for $target"; status=1; continue; }
  stats="$findings/default/fuzzer_stats"
  execs=$(sed -n 's/^execs_done *: *//p' "$stats"); corpus=$(sed -n 's/^corpus_count *: *//p' "$stats")
  crashes=$(find "$findings/default/crashes" -type f -name 'id:*' | wc -l)
  hangs=$(find "$findings/default/hangs" -type f -name 'id:*' | wc -l)
  echo "fuzz: $target: $execs execs, corpus $corpus, $crashes crashes, $hangs hangs"
  if [ "$crashes" != 0 ]; then
    mkdir -p "$out/crashes/$target"
    cp "$findings/default/crashes"/id:* "$out/crashes/$target/"
    echo "fuzz: $target crashed; reproduce with: dotnet run --project fuzz/BrainTools.Checkpoint.Fuzz -c Release -- $target $out/crashes/$target/*"
    status=1
  fi
done
exit "$status"
