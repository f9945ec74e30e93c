#!/usr/bin/env bash
# DocC archives of the five libraries (Tensor, Vision, Dataset, Models, Recommender), from
# their catalogues (Sources/T/T.docc) and the compiler's symbol graphs. Fails on any DocC
# warning — an unresolved symbol link, a bad article — except the per-parameter
# documentation ones, which are counted. Uses the toolchain's `docc`; no package plugin needed.
# Usage: Tools/build_docs.sh [OUT_DIR]   (default .build/docs; open OUT/T.doccarchive with
#        `docc preview`, or pass --transform-for-static-hosting output to a web server)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/.build/docs}
graphs="$out/symbol-graphs"
# The compiler writes a module's graph when it compiles the module: without graphs, build afresh.
for t in Tensor Vision Dataset Models Recommender; do
  [ -f "$graphs/$t.symbols.json" ] || { rm -rf "$here/.build/docs-build"; break; }
done
mkdir -p "$graphs"
# A scratch path of its own, so the flags do not rebuild the main build folder.
swift build --package-path "$here" --scratch-path "$here/.build/docs-build" \
  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs" \
  -Xswiftc -symbol-graph-minimum-access-level -Xswiftc public >/dev/null
for t in Tensor Vision Dataset Models Recommender; do
  rm -rf "$graphs/$t"; mkdir -p "$graphs/$t"
  cp "$graphs/$t.symbols.json" "$graphs/$t"/
  cp "$graphs/$t@"*.symbols.json "$graphs/$t"/ 2>/dev/null || true
  log="$out/$t.log"
  docc convert "$here/Sources/$t/$t.docc" --additional-symbol-graph-dir "$graphs/$t" \
    --fallback-display-name "$t" --fallback-bundle-identifier "org.fashionstyle.$t" \
    --output-path "$out/$t.doccarchive" --transform-for-static-hosting >"$log" 2>&1
  bad=$(grep -E "^(warning|error):" "$log" | grep -v "Parameter '" || true)
  if [ -n "$bad" ]; then echo "$t:"; grep -A3 -E "^(warning|error):" "$log" | grep -v "Parameter '" | head -40; exit 1; fi
  echo "$t: $out/$t.doccarchive ($(grep -c "Parameter '" "$log" || true) parameter-documentation notes)"
done
