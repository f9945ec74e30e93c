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

# 3. A 1 × 60,000 photo (a small PNG) is refused for its shape before any padded square is made.
python3 - "$W/strip.png" <<'PY'
import struct, sys, zlib
w, h = 1, 60000
raw = b"".join(b"\x00" + b"\xff\xff\xff" * w for _ in range(h))
def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
run "1 × 60,000 photo, predict" 30 "$F" predict --checkpoint "$W/run/best.safetensors" "$W/strip.png"
[ "$status" -le 1 ] && grep -q "aspect ratio" "$W/err" "$W/out" || fail "1 × 60,000 photo, predict: not refused for its shape (exit $status): $(tail -1 "$W/err")"

# 9. Trees that cannot give an answer stop before the work, with the reason.
cp -r "$W/tree" "$W/novalidation"; rm -f "$W/novalidation/validation_image/"*
run "train without validation photos" 60 "$F" train --data "$W/novalidation" --prepared "$W/prepared-noval" --preset baseline --image-size 32 --epochs 1 --out "$W/run-noval" \
  && refused "train without validation photos" "no validation photos"
rm -rf "$W/novalidation" "$W/prepared-noval" "$W/run-noval"
printf 'stem,f0,f1\nT_99999_50_nothing_W,1,2\nT_99998_50_nothing_M,3,4\n' > "$W/strangers.csv"
run "features naming no photo" 30 "$F" recommend --data "$W/tree" --features "$W/strangers.csv" --out "$W/rec-strangers" \
  && refused "features naming no photo" "names none of the"
# Issue 33's learned method: a features file of one row (a training photo) is refused for naming no
# validation photo; one that lacks some answered photos scores every method, learned included, without a NaN.
"$F" features --checkpoint "$W/run/best.safetensors" --data "$W/tree" --prepared "$W/prepared" --out "$W/features.csv" >/dev/null 2>&1
head -2 "$W/features.csv" > "$W/one-row.csv"
run "features of one row" 60 "$F" recommend --data "$W/tree" --features "$W/one-row.csv" --out "$W/rec-one" \
  && refused "features of one row" "names none of the"
awk -F, 'NR == 1 || NR % 3 != 0' "$W/features.csv" > "$W/some-rows.csv"
run "features lacking photos" 120 "$F" recommend --data "$W/tree" --features "$W/some-rows.csv" --out "$W/rec-some"
if [ "$status" = 0 ]; then
  grep -qiE '(^|,)nan(,|$)' "$W/rec-some/scores.csv" && fail "features lacking photos: a NaN in scores.csv"
  grep -q "score_learned" "$W/rec-some/scores.csv" || fail "features lacking photos: no learned scores"
else
  fail "features lacking photos: exit $status: $(tail -1 "$W/err")"
fi
# 4. The few-shot protocol on a tree of fewer than 6 classes: refused before any backbone trains.
mkdir -p "$W/five"; for d in training_image validation_image training_label validation_label; do mkdir -p "$W/five/$d"; done
for f in $(ls "$W/tree/training_image" | grep -E '_(hippie|ivy|punk)_' ); do cp "$W/tree/training_image/$f" "$W/five/training_image/"; done
for f in $(ls "$W/tree/validation_image" | grep -E '_(hippie|ivy|punk)_' ); do cp "$W/tree/validation_image/$f" "$W/five/validation_image/"; done
run "fewshot on 5 classes" 120 "$F" fewshot --dataset kfashion --data "$W/five" --prepared "$W/five-prepared" --image-size 16 --quick --out "$W/fewshot-five" \
  && refused "fewshot on 5 classes" "needs at least one majority class"
[ -d "$W/fewshot-five/backbones" ] && fail "fewshot on 5 classes trained a backbone first"

# 10. Checkpoints that compute nonsense, and headers that list a key twice, are refused.
python3 - "$W/run/best.safetensors" "$W" <<'PY'
import json, struct, sys
src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n]); body = bytearray(data[8 + n:])
def patched(name, value, path):
    b = bytearray(body); begin, end = header[name]["data_offsets"]
    b[begin:end] = struct.pack("<f", value) * ((end - begin) // 4)
    open(path, "wb").write(data[:8 + n] + bytes(b))
patched("bn1.running_var", -1.0, out + "/negative-var.safetensors")
patched("fc.weight", 3e38, out + "/huge.safetensors")
text = data[8:8 + n].decode()
key = '"fc.bias":'
i = text.index(key); j = text.index("}", i) + 1
dup = text[:j] + "," + text[i:j] + text[j:]
dup = dup + " " * 0
open(out + "/duplicate.safetensors", "wb").write(struct.pack("<Q", len(dup)) + dup.encode() + bytes(body))
PY
for f in negative-var huge duplicate; do
  run "checkpoint $f, predict" 30 "$F" predict --checkpoint "$W/$f.safetensors" "$W/tree/training_image/$photo" \
    && refused "checkpoint $f, predict" "$f.safetensors"
done
grep -q "running variance" "$W/err" 2>/dev/null; true

# 16, 17. A folder, /dev/null or a FIFO where a file belongs: `path: reason`, no Foundation code.
mkfifo "$W/fifo.safetensors"
for checkpoint in "$W/run" /dev/null "$W/fifo.safetensors"; do
  run "checkpoint $checkpoint" 20 "$F" predict --checkpoint "$checkpoint" "$W/tree/training_image/$photo" \
    && refused "checkpoint $checkpoint" "not a regular file"
  grep -q "NSCocoaErrorDomain\|Code=" "$W/err" && fail "checkpoint $checkpoint: a raw Foundation error"
done
run "features from a FIFO" 20 "$F" recommend --data "$W/tree" --features "$W/fifo.safetensors" --out "$W/rec-fifo" && refused "features from a FIFO" "a FIFO, not a regular file"
"$F" prepare --data "$W/tree" --size 32 --background white --out "$W/prepared-white" >/dev/null 2>&1
for command in features evaluate; do
  out="$W/$command-white"; [ $command = features ] && out="$W/$command-white/features"
  run "$command with another recipe's photos" 60 "$F" $command --data "$W/tree" --checkpoint "$W/run/best.safetensors" --prepared "$W/prepared-white" --out "$out" \
    && refused "$command with another recipe's photos" "background=white"
done

# 18. Fashion-MNIST folders users bring: no folder, a folder without the data (train-mnist and
# evaluate-mnist), images whose labels are missing, a FIFO named like an IDX file or like Kaggle's
# CSV, a CSV line that is not a label and 784 pixels — each refused naming the path and the reason,
# never a hang, and no --out folder left behind.
mkdir -p "$W/fmnist-empty" "$W/fmnist-unpaired/raw" "$W/fmnist-fifo/FashionMNIST/raw" "$W/fmnist-csv"
run "train-mnist, no folder" 20 "$F" train-mnist --data "$W/fmnist-none" --epochs 1 --out "$W/fm1" && refused "train-mnist, no folder" "fmnist-none: no such folder"
run "train-mnist, empty folder" 20 "$F" train-mnist --data "$W/fmnist-empty" --epochs 1 --out "$W/fm2" \
  && refused "train-mnist, empty folder" "fmnist-empty: no Fashion-MNIST train split — looked for train-images-idx3-ubyte.gz"
cp /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz "$W/fmnist-unpaired/raw/" 2>/dev/null || printf 'x' > "$W/fmnist-unpaired/raw/train-images-idx3-ubyte.gz"
run "train-mnist, images without labels" 20 "$F" train-mnist --data "$W/fmnist-unpaired" --epochs 1 --out "$W/fm3" \
  && refused "train-mnist, images without labels" "raw/train-images-idx3-ubyte.gz: found, but not .*raw/train-labels-idx1-ubyte.gz"
cp /usr/share/datasets/fashion-mnist/t10k-*.gz "$W/fmnist-fifo/FashionMNIST/raw/"
mkfifo "$W/fmnist-fifo/FashionMNIST/raw/train-images-idx3-ubyte"; printf 'x' > "$W/fmnist-fifo/FashionMNIST/raw/train-labels-idx1-ubyte"
run "train-mnist, FIFO images" 20 "$F" train-mnist --data "$W/fmnist-fifo" --epochs 1 --out "$W/fm4" \
  && refused "train-mnist, FIFO images" "train-images-idx3-ubyte: a FIFO, not a regular file"
cp /usr/share/datasets/fashion-mnist/t10k-*.gz "$W/fmnist-csv/"   # the test split is fine; the training CSV is not
mkfifo "$W/fmnist-csv/fashion-mnist_train.csv"
run "train-mnist, FIFO CSV" 20 "$F" train-mnist --data "$W/fmnist-csv" --epochs 1 --out "$W/fm5" \
  && refused "train-mnist, FIFO CSV" "fashion-mnist_train.csv: a FIFO, not a regular file"
rm -f "$W/fmnist-csv/fashion-mnist_train.csv"; { echo "label,pixel1"; echo "3,0,0"; } > "$W/fmnist-csv/fashion-mnist_train.csv"
run "train-mnist, short CSV line" 20 "$F" train-mnist --data "$W/fmnist-csv" --epochs 1 --out "$W/fm6" \
  && refused "train-mnist, short CSV line" "fashion-mnist_train.csv:2: 3 fields; a label and 28×28 = 784 pixels are 785"
run "evaluate-mnist, empty folder" 20 "$F" evaluate-mnist --checkpoint "$W/run/best.safetensors" --data "$W/fmnist-empty" --out "$W/fm7" \
  && refused "evaluate-mnist, empty folder" "fmnist-empty: no Fashion-MNIST test split"
for n in 1 2 3 4 5 6 7; do [ -e "$W/fm$n" ] && fail "Fashion-MNIST refusal $n left its --out folder behind"; done

# 5. Memory and file-size limits: refused with the estimate, or reported like a full disk —
# never SIGABRT or SIGXFSZ.
run "training step beyond ulimit -v" 120 bash -c "ulimit -v 4000000; exec \"$F\" train --data \"$W/tree\" --prepared \"$W/prepared64\" --preset baseline --image-size 64 --batch-size 4096 --epochs 1 --out \"$W/run-big\"" \
  && refused "training step beyond ulimit -v" "needs about .* (ulimit -v"
run "checkpoint beyond ulimit -f" 120 bash -c "ulimit -f 40; exec \"$F\" train --data \"$W/tree\" --prepared \"$W/prepared\" --preset baseline --image-size 32 --batch-size 16 --epochs 1 --out \"$W/run-fsz\"" \
  && refused "checkpoint beyond ulimit -f" "cannot write (File too large)"

echo "bad_input_probe: $cases cases, $failures failures"
[ "$failures" = 0 ]
