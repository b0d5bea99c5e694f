#!/usr/bin/env bash
# Installs everything the tests need (venv, PostgreSQL) and runs lint plus the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/ensure-postgres.sh
scripts/ensure-redis.sh
.venv/bin/ruff check src tests bench
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" -p no:cacheprovider "$@"
