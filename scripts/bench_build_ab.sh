#!/bin/bash
# The same `songsim index build` by two versions of songsim, in turn (before, after, before,
# after, ...), on one dataset: a fair before/after on a machine whose speed drifts.
#
#   scripts/bench_build_ab.sh BEFORE_SONGSIM AFTER_SONGSIM DATASET
#
# BEFORE_SONGSIM and AFTER_SONGSIM are `songsim` commands of two checkouts, e.g. for the
# restructuring of issue 16 (commit 7096089 before it):
#   git worktree add ../before 7096089 && python3 -m venv ../before/.venv \
#     && ../before/.venv/bin/pip install -q -e ../before
#   scripts/bench_build_ab.sh ../before/.venv/bin/songsim .venv/bin/songsim spotify_dataset.csv
# Run one build of each side first if its numba cache is cold (a new checkout compiles).
# Each run is timed by /usr/bin/time -v; its output goes to DIR/ab-<side>-<n>.log (DIR:
# the dataset's folder unless set), the 1-minute load average every 5 s to .load, and the
# index is deleted after the run. Env: PAIRS (default 2), METHOD (default lsh), DIR.
set -u

BEFORE=${1:?usage: scripts/bench_build_ab.sh BEFORE_SONGSIM AFTER_SONGSIM DATASET}
AFTER=${2:?usage: scripts/bench_build_ab.sh BEFORE_SONGSIM AFTER_SONGSIM DATASET}
DATASET=${3:?usage: scripts/bench_build_ab.sh BEFORE_SONGSIM AFTER_SONGSIM DATASET}
DIR=${DIR:-$(dirname "$DATASET")}
PAIRS=${PAIRS:-2}
METHOD=${METHOD:-lsh}

for exe in "$BEFORE" "$AFTER"; do
    [ -x "$exe" ] || { echo "ab.sh: not executable: $exe" >&2; exit 2; }
done
[ -f "$DATASET" ] || { echo "ab.sh: no dataset at $DATASET" >&2; exit 2; }

run_one() {  # side exe n
    local side=$1 exe=$2 n=$3
    local log=$DIR/ab-$side-$n.log out=$DIR/ab-$side-$n.sqlite load=$DIR/ab-$side-$n.load
    rm -f "$out"
    echo "$(date -u '+%F %T UTC') $side run $n: $exe" >&2
    { echo "# $(date -u '+%F %T UTC') $side run $n"; echo "# loadavg at start: $(cat /proc/loadavg)";
      echo "# \$ $exe index build $DATASET -o $out --method $METHOD"; } > "$log"
    ( while true; do cut -d' ' -f1 /proc/loadavg; sleep 5; done ) > "$load" &
    local sampler=$!
    /usr/bin/time -v "$exe" index build "$DATASET" -o "$out" --method "$METHOD" >> "$log" 2>&1
    local rc=$?
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
    { echo "# exit status: $rc"; echo "# loadavg at end: $(cat /proc/loadavg)"; } >> "$log"
    rm -f "$out" "$out"-journal "$out"-wal "$out"-shm
    rm -f "$DIR"/.ab-"$side"-"$n".sqlite.*.tmp* 2>/dev/null  # a failed build's temp file (.<name><mark><pid>.tmp)
}

for n in $(seq 1 "$PAIRS"); do
    run_one before "$BEFORE" "$n"
    run_one after "$AFTER" "$n"
done

# Table. Wall/RSS from /usr/bin/time -v (RSS is the largest single process, the build or
# its forked table writer, not their sum); stages from the summary's "time by stage:" lines.
stage() {  # log name -> seconds of a top-level stage, or "-"
    awk -v name="$2" '/^ *time by stage:/ { on = 1; next }
        on && !/^    [^ ]/ { on = 0 }
        on { line = $0; sub(/^ +/, "", line); sub(/ s:.*$/, " s", line)
             n = split(line, w, " "); label = w[1]; for (i = 2; i < n - 1; i++) label = label " " w[i]
             if (label == name) { v = w[n - 1] } }
        END { print (v == "" ? "-" : v) }' "$1"
}
wall_s() {  # "h:mm:ss" or "m:ss.ss" -> seconds
    grep -m1 'Elapsed (wall clock)' "$1" | awk '{ t = $NF; n = split(t, p, ":");
        s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }'
}
echo
printf '%-7s %3s %8s %10s %8s %11s %7s %6s %5s\n' side run wall_s peakRSS_MB ingest_s neighbours_s write_s load exit
for n in $(seq 1 "$PAIRS"); do
    for side in before after; do
        log=$DIR/ab-$side-$n.log
        [ -f "$log" ] || continue
        rss=$(grep -m1 'Maximum resident set size' "$log" | awk '{ printf "%.0f", $NF / 1024 }')
        load=$(awk '{ s += $1; n++ } END { if (n) printf "%.1f", s / n; else print "-" }' "$DIR/ab-$side-$n.load" 2>/dev/null)
        rc=$(grep -m1 '^# exit status:' "$log" | awk '{ print $NF }')
        printf '%-7s %3s %8s %10s %8s %11s %7s %6s %5s\n' "$side" "$n" "$(wall_s "$log")" "${rss:--}" \
            "$(stage "$log" ingest)" "$(stage "$log" neighbours)" "$(stage "$log" write)" "${load:--}" "${rc:--}"
    done
done
echo "(load = mean 1-min load average sampled every 5 s during the run; 2 cores)"
