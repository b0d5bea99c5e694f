#!/usr/bin/env bash
# Runs every benchmark on PostgreSQL and on SQLite and prints the figures (also kept in
# $IDESK_BENCH_DIR, default /tmp/idesk-bench/run-<time>.txt).
#
#   bench/run.sh                      # 1,000,000 cases, data sets built afresh (~35 s each)
#   BENCH_CASES=200000 bench/run.sh   # a smaller data set
#   BENCH_REUSE=1 bench/run.sh        # reuse data sets of that size built by an earlier run
#   BENCH_PROFILE=1 bench/run.sh      # also sample the server with py-spy (pip install py-spy)
#   BENCH_DBS=sqlite bench/run.sh     # one database only
set -euo pipefail
cd "$(dirname "$0")/.."

CASES=${BENCH_CASES:-1000000}
DBS=${BENCH_DBS:-postgresql sqlite}
WORKERS=${BENCH_WORKERS:-2}
OUT_DIR=${IDESK_BENCH_DIR:-/tmp/idesk-bench}
mkdir -p "$OUT_DIR"
OUT="$OUT_DIR/run-$(date +%Y%m%d-%H%M%S).txt"
PY=.venv/bin/python
extra=()
[[ "${BENCH_PROFILE:-0}" == 1 ]] && extra+=(--profile)
reuse=()
[[ "${BENCH_REUSE:-0}" == 1 ]] && reuse+=(--reuse)

if [[ " $DBS " == *" postgresql "* ]]; then
  scripts/ensure-postgres.sh
fi

{
  echo "Integrity Desk benchmarks, $(date -Is), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "databases: $DBS; data set: $CASES cases; server workers: $WORKERS"
  for db in $DBS; do
    echo
    echo "################ $db ################"
    "$PY" -W ignore -m bench.intake --db "$db" --workers "$WORKERS" ${extra[@]+"${extra[@]}"}
    if [[ ${#reuse[@]} -eq 0 ]]; then
      "$PY" -W ignore -m bench.dataset --db "$db" --cases "$CASES"
    fi
    "$PY" -W ignore -m bench.claim_and_list --db "$db" --cases "$CASES" --reuse \
      --workers "$WORKERS" ${extra[@]+"${extra[@]}"}
    "$PY" -W ignore -m bench.dsa_export --db "$db" ${reuse[@]+"${reuse[@]}"}
    "$PY" -W ignore -m bench.decide --db "$db"
    "$PY" -W ignore -m bench.routing --db "$db"
    "$PY" -W ignore -m bench.decide_chunks --db "$db"
    "$PY" -W ignore -m bench.staffing --db "$db"
    "$PY" -W ignore -m bench.simulate_history --db "$db"
  done
} 2>&1 | tee "$OUT"
echo "figures kept in $OUT"
