#!/usr/bin/env bash
# Bad inputs of the second reliability round (issue 31, Docs/RELIABILITY.md): each case runs the
# release `fashion` under a timeout and checks that it ends in a one-line error naming the path
# or flag (exit 1), a correct result, or a skip listed with its reason — never a hang (exit 124),
# a signal (exit ≥ 128), or an exit 0 with a wrong answer.
#
#   Tools/bad_input_probe.sh [path/to/fashion]       (default: .build/release/fashion)
#
# About a minute. Needs util-linux (flock, truncate) and coreutils (timeout).
set -uo pipefail
cd "$(dirname "$0")/.."
F=$(realpath "${1:-.build/release/fashion}")
W=$(mktemp -d /tmp/fashion-probe.XXXXXX)
trap 'rm -rf "$W"' EXIT
export SWIFT_BACKTRACE=enable=no
failures=0 cases=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run NAME SECONDS COMMAND…: runs it, stdout in $W/out, stderr in $W/err, status in $status.
run() {
  local name=$1 seconds=$2; shift 2
  cases=$((cases + 1))
  status=0
  timeout -k 5 "$seconds" "$@" >"$W/out" 2>"$W/err" </dev/null || status=$?
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then fail "$name: hung (killed after $seconds s)"; return 1; fi
  if [ "$status" -ge 128 ]; then fail "$name: died by signal $((status - 128)): $(tail -1 "$W/err")"; return 1; fi
  return 0
}
# refused NAME PATTERN: the last run exited 1 with an error line matching PATTERN.
refused() {
  [ "$status" = 1 ] || { fail "$1: exit $status, expected a refusal (exit 1): $(tail -1 "$W/err")"; return; }
  grep -q -- "$2" "$W/err" || fail "$1: the error does not say '$2': $(tail -2 "$W/err" | tr '\n' ' ')"
}
# skipped NAME PATTERN: the last run exited 0 and listed a skip matching PATTERN.
skipped() {
  [ "$status" = 0 ] || { fail "$1: exit $status: $(tail -1 "$W/err")"; return; }
  cat "$W/out" "$W/err" | grep -q -- "$2" || fail "$1: no skip saying '$2'"
}
no_raw_escape() { # NAME: neither output holds an ESC or BEL byte
  if LC_ALL=C grep -q $'[\x1b\x07]' "$W/out" "$W/err"; then fail "$1: a raw escape sequence was printed"; fi
}

"$F" synth --out "$W/tree" --scale 0.02 --width 60 --respondents 20 --orphan-labels 0 >/dev/null 2>&1
"$F" prepare --data "$W/tree" --size 32 --out "$W/prepared" >/dev/null 2>&1
"$F" train --data "$W/tree" --prepared "$W/prepared" --preset baseline --image-size 32 --batch-size 16 --epochs 1 --out "$W/run" >/dev/null 2>&1
photo=$(ls "$W/tree/training_image" | head -1); stem=${photo%.jpg}
label="$W/tree/training_label/${stem}_999999.json"

# 1. A FIFO named like a label file: never opened blocking, skipped as not a regular file.
mkfifo "$label"
for command in labels preferences; do
  run "FIFO label, $command" 20 "$F" $command --data "$W/tree" && skipped "FIFO label, $command" "a FIFO, not a regular file"
done
rm -f "$label"
# 2. Unbounded reads: a label that is /dev/zero, or a 3 GB sparse file.
ln -s /dev/zero "$label"
run "label → /dev/zero" 20 "$F" preferences --data "$W/tree" && skipped "label → /dev/zero" "a character device, not a regular file"
rm -f "$label"; truncate -s 3G "$label"
run "3 GB label" 20 "$F" preferences --data "$W/tree" && skipped "3 GB label" "over the 16 MB cap"
rm -f "$label"

# 6. Two writers of one folder: the second is refused with the first's process id.
flock -x "$W/run" sleep 30 & holder=$!
sleep 0.3
run "train into a busy folder" 30 "$F" train --data "$W/tree" --prepared "$W/prepared" --preset baseline --image-size 32 --batch-size 16 --epochs 2 --out "$W/run" \
  && refused "train into a busy folder" "in use by process"
run "train --restart of a busy folder" 30 "$F" train --data "$W/tree" --prepared "$W/prepared" --preset baseline --image-size 32 --batch-size 16 --epochs 1 --restart --out "$W/run" \
  && refused "train --restart of a busy folder" "in use by process"
[ -f "$W/run/best.safetensors" ] || fail "train --restart of a busy folder removed the other run's files"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
flock -x "$W/prepared" sleep 30 & holder=$!
sleep 0.3
run "prepare into a busy folder" 30 "$F" prepare --data "$W/tree" --size 32 --out "$W/prepared" && refused "prepare into a busy folder" "in use by process"
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# 15. Terminal escape sequences in a photo name are printed escaped.
hostile="$W/tree/validation_image/W_11111_50_hippie_$(printf '\033]0;pwn\007\033[2J')M.jpg"
cp "$W/tree/training_image/$photo" "$hostile"
run "escape sequences, stats" 30 "$F" stats --data "$W/tree" && no_raw_escape "escape sequences, stats"
run "escape sequences, predict" 30 "$F" predict --checkpoint "$W/run/best.safetensors" "$hostile" && no_raw_escape "escape sequences, predict"
run "escape sequences, missing photo" 30 "$F" predict --checkpoint "$W/run/best.safetensors" "$hostile.missing" && no_raw_escape "escape sequences, missing photo"
rm -f "$hostile"

# 12, 13. One rule for what counts: a 253-byte photo name is prepared like any other (its
# temporary has a short name of its own); a folder named like a photo, a sub-folder and a
# hidden file are listed among the skipped files with the reason.
long="T_12345_50_$(printf 'h%.0s' $(seq 1 236))_M.jpg"
cp "$W/tree/training_image/$photo" "$W/tree/training_image/$long"
mkdir "$W/tree/training_image/W_00001_50_hippie_M.jpg" "$W/tree/training_image/sub" "$W/tree/training_label/${stem}_777777.json"
touch "$W/tree/training_image/.hidden"
run "odd names, stats" 30 "$F" stats --data "$W/tree" && skipped "odd names, stats" "training_image/sub: a folder, not a file" \
  && skipped "odd names, stats" "training_image/.hidden: hidden" && skipped "odd names, stats" "W_00001_50_hippie_M.jpg: a folder"
run "odd names, labels" 30 "$F" labels --data "$W/tree" && skipped "odd names, labels" "${stem}_777777.json: a folder"
run "odd names, prepare" 60 "$F" prepare --data "$W/tree" --size 32 --out "$W/prepared-odd" && skipped "odd names, prepare" "training_image/sub: a folder"
[ -f "$W/prepared-odd/training_image/$long" ] || fail "a 253-byte photo name was not prepared"
rm -rf "$W/tree/training_image/$long" "$W/tree/training_image/W_00001_50_hippie_M.jpg" "$W/tree/training_image/sub" "$W/tree/training_image/.hidden" "$W/tree/training_label/${stem}_777777.json" "$W/prepared-odd"

echo "bad_input_probe: $cases cases, $failures failures"
[ "$failures" = 0 ]
