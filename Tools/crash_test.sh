#!/usr/bin/env bash
# Kills real `fashion` processes at write steps and checks that a rerun finishes with the
# same bytes as a run never interrupted, and leaves no temporary file behind.
#
# Every output of `prepare`, `features` and `train` is written as a temporary renamed into
# place, so strace stops the process (SIGKILL) at the k-th rename(2) — the instant a file is
# about to change. k runs over the first, middle and last renames of each command (for
# `prepare` every output file, for `train` every step of the epoch-end save).
#
#   Tools/crash_test.sh [path/to/fashion]       (default: .build/release/fashion)
#
# Needs strace (installed by `make crash-test`). Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
F=$(realpath "${1:-.build/release/fashion}")
W=$(mktemp -d /tmp/fashion-crash.XXXXXX)
trap 'umount "$W/full" 2>/dev/null || true; rm -rf "$W"' EXIT
export SWIFT_BACKTRACE=enable=no
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Runs "$@" killed at its k-th rename; the process must die by SIGKILL.
killed_at() {
  local k=$1; shift
  local status=0
  # In a subshell, so the shell's "Killed" notice goes to /dev/null with the rest.
  ( strace -f -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when="$k" "$@"; exit $? ) >/dev/null 2>"$W/stderr" || status=$?
  [ "$status" = 137 ] || fail "$* was not killed at rename $k (exit $status: $(tail -1 "$W/stderr"))"
}
# Runs "$@" to the end; a failure is reported with the command's last line of error.
rerun() { # rerun WHAT COMMAND...
  local what=$1; shift
  "$@" >/dev/null 2>"$W/stderr" || fail "$what failed: $(tail -1 "$W/stderr")"
}
renames() { strace -f -o "$W/trace" -e trace=rename "$@" >/dev/null 2>&1; grep -c '^[0-9]* *rename(' "$W/trace"; }
no_leftovers() { local left; left=$(find "$1" -name '*.partial-*' -o -name '.manifest.journal'); [ -z "$left" ] || fail "leftovers in $1: $left"; }
untimed() { sed -E 's/"(seconds|images_per_second|imagesPerSecond)":[-0-9.e+]+//g' "$1"; }
same() { # same FOLDER REFERENCE [diff options]: every file byte-identical
  local a=$1 b=$2; shift 2
  diff -r "$@" "$a" "$b" >/dev/null || fail "$a differs from $b: $(diff -rq "$@" "$a" "$b" | head -3 | tr '\n' ';')"
}

"$F" synth --out "$W/tree" --scale 0.02 --width 60 --respondents 20 --orphan-labels 0 >/dev/null 2>&1

# prepare: one rename per photo, then manifest.csv, white_share.csv, skipped.csv, normalization.json,
# preparation.json (five files after the photos).
# One thread (FASHION_THREADS=1), so that strace's count of renames is the process's; the
# rerun uses every core and must still give the same bytes.
prepare=("$F" prepare --data "$W/tree" --size 32 --out)
serial=(env FASHION_THREADS=1)
"${prepare[@]}" "$W/prepared" >/dev/null 2>&1
n=$(renames "${serial[@]}" "${prepare[@]}" "$W/count")
echo "prepare: $n renames; killing at 1, 2, $((n / 2)), $((n - 5)) … $n"
for k in 1 2 $((n / 2)) $((n - 5)) $((n - 4)) $((n - 3)) $((n - 2)) $((n - 1)) $n; do
  out="$W/prepare-$k"
  killed_at "$k" "${serial[@]}" "${prepare[@]}" "$out"
  summary=$("${prepare[@]}" "$out" 2>/dev/null); summary=$(head -1 <<<"$summary")
  same "$out" "$W/prepared"
  no_leftovers "$out"
  rm -rf "$out"
  # What was in place before the kill is reused, not prepared again.
  reused=$(sed -nE 's/.*[( ]([0-9]+) reused.*/\1/p' <<<"$summary")
  [ "${reused:-0}" -ge $((k > n - 5 ? n - 5 : k - 1)) ] || fail "prepare killed at $k: rerun reused ${reused:-0} ($summary)"
done

# train: two epochs of a tiny run; every rename of the run (checkpoints, optimiser, state, log,
# evaluation), then a rerun resumes and must end with the reference's checkpoints and state.
train=("$F" train --data "$W/tree" --prepared "$W/prepared" --preset baseline --image-size 32 --batch-size 16 --epochs 2 --out)
"${train[@]}" "$W/run" >/dev/null 2>&1
n=$(renames "${train[@]}" "$W/count-run")
echo "train: $n renames; killing at each"
for k in $(seq 1 "$n"); do
  out="$W/run-$k"
  killed_at "$k" "${train[@]}" "$out"
  rerun "train rerun after a kill at rename $k" "${train[@]}" "$out"
  for f in best.safetensors last.safetensors last.optimizer.safetensors evaluation.json evaluation.md predictions.csv samples.png skipped.csv; do
    cmp -s "$out/$f" "$W/run/$f" || fail "train killed at rename $k: $f differs"
  done
  for f in trainer_state.json log.jsonl; do   # the same but for the timings
    diff -q <(untimed "$out/$f") <(untimed "$W/run/$f") >/dev/null || fail "train killed at rename $k: $f differs beyond timings"
  done
  no_leftovers "$out"
  rm -rf "$out"   # ~170 MB of checkpoints each: 19 of them kept would fill a small CI disk
done

# features: the safetensors, the CSV, the skipped list.
features=("$F" features --checkpoint "$W/run/best.safetensors" --data "$W/tree" --prepared "$W/prepared" --out)
"${features[@]}" "$W/features/f.safetensors" >/dev/null 2>&1
n=$(renames "${features[@]}" "$W/count-features/f.safetensors")
echo "features: $n renames; killing at each"
for k in $(seq 1 "$n"); do
  out="$W/features-$k"
  mkdir -p "$out"
  killed_at "$k" "${features[@]}" "$out/f.safetensors"
  rerun "features rerun after a kill at rename $k" "${features[@]}" "$out/f.safetensors"
  same "$out" "$W/features"
  no_leftovers "$out"
  rm -rf "$out"
done

# A full disk: rewriting a report fails with the system's reason and leaves the old file whole.
if mkdir -p "$W/full" && mount -t tmpfs -o size=64k tmpfs "$W/full" 2>/dev/null; then
  "$F" stats --data "$W/tree" --format csv --output "$W/full/stats.csv" >/dev/null 2>&1
  cp "$W/full/stats.csv" "$W/stats.before"
  head -c 200000 /dev/zero > "$W/full/filler" 2>/dev/null || true
  status=0; message=$("$F" stats --data "$W/tree" --format markdown --output "$W/full/stats.csv" 2>&1 >/dev/null) || status=$?
  { [ "$status" != 0 ] && grep -q "stats.csv: cannot write (No space left on device)" <<<"$message"; } \
    || fail "a full disk gave exit $status and: $message"
  cmp -s "$W/full/stats.csv" "$W/stats.before" || fail "a failed write on a full disk changed the old file"
  no_leftovers "$W/full"
  echo "disk full: old report kept, error: $(tail -1 <<<"$message")"
else
  echo "disk full: skipped (no tmpfs can be mounted here)"
fi

# Ctrl-C during training, with standard output in a file: every epoch line already printed is in
# the file (line-buffered), the program says from which epoch a rerun resumes, exits 130, and
# the rerun does resume there.
int=("$F" train-mnist --epochs 3 --limit 640 --test-limit 200 --samples 0 --out "$W/int")
"${int[@]}" > "$W/int.out" 2> "$W/int.err" & pid=$!
for _ in $(seq 1 600); do grep -q "^epoch 1:" "$W/int.out" 2>/dev/null && break; sleep 0.1; done
sleep 0.5; kill -INT "$pid"; status=0; wait "$pid" || status=$?
grep -q "^epoch 1:" "$W/int.out" || fail "Ctrl-C: the epoch line printed before it is not in the redirected output"
[ "$status" = 130 ] || fail "Ctrl-C: exit $status, expected 130"
grep -q "rerun the same command to resume from epoch 2" "$W/int.err" || fail "Ctrl-C: no resume note: $(tail -c 300 "$W/int.err")"
"${int[@]}" > "$W/int.out2" 2>/dev/null || fail "Ctrl-C: the rerun failed"
grep -q "resuming .* after epoch 1" "$W/int.out2" || fail "Ctrl-C: the rerun did not resume after epoch 1: $(head -3 "$W/int.out2")"
echo "Ctrl-C: exit 130, '$(grep -o "interrupted.*" "$W/int.err")', the rerun resumed"

if [ "$failures" -gt 0 ]; then echo "crash test: $failures failures"; exit 1; fi
echo "crash test: every kill left a state that a rerun completed byte-identically, no temporaries left"
