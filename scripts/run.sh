#!/usr/bin/env bash
# Installs everything and runs the desk on embedded SQLite with demo data at http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export IDESK_DATABASE_URL=${IDESK_DATABASE_URL:-sqlite:///$PWD/integrity_desk.db}
.venv/bin/idesk demo --cases "${DEMO_CASES:-400}"
.venv/bin/idesk worker >/tmp/idesk-worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT
echo "Integrity Desk on http://127.0.0.1:${PORT:-8000}  (demo users and password printed above)"
.venv/bin/idesk serve --host 127.0.0.1 --port "${PORT:-8000}"
