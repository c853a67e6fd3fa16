#!/usr/bin/env bash
# Throughput of `momentsearch index` with and without Ray on this machine (docs/deploy.md, section 3).
# Usage: scripts/bench_distributed.sh [VIDEO_FOLDER] [EXTRA INDEX FLAGS...]
#   default folder: 4 copies of the bundled sample lecture. Prints media seconds per wall second.
set -euo pipefail
cd "$(dirname "$0")/.."
export RAY_USAGE_STATS_ENABLED=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
folder=${1:-}
[ $# -gt 0 ] && shift
if [ -z "$folder" ]; then
  folder="$work/videos"
  mkdir -p "$folder"
  for i in 1 2 3 4; do cp momentsearch/data/sample_lecture.mp4 "$folder/lecture$i.mp4"; done
fi
for mode in local ray1 ray2; do
  case $mode in
    local) flags=() ;;
    ray1) flags=(--ray --ray-workers 1) ;;
    ray2) flags=(--ray --ray-workers 2) ;;
  esac
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  python3 -m momentsearch.cli index "$folder" --db "$work/db-$mode" --quiet --json "$@" "${flags[@]}" > "$work/$mode.json"
  end=$(date +%s.%N)
  python3 - "$work/$mode.json" "$start" "$end" "$mode" "$load" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
media = sum(f["duration"] for f in out["files"] if f["status"] == "indexed")
print(f"{sys.argv[4]:6s} {len(out['files'])} files, {media:.1f} media s, {wall:.1f} s wall, "
      f"{media / wall:.2f} media s per wall s (load average before: {sys.argv[5]})")
PY
done
