#!/usr/bin/env bash
# Installs everything the tests need (venv, PostgreSQL, Chromium, swaks, Dovecot) and runs lint plus the whole
# suite; browser tests must run here (IDESK_REQUIRE_BROWSER), never skip for a missing Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/ensure-postgres.sh
scripts/ensure-redis.sh
scripts/ensure-chromium.sh
scripts/ensure-swaks.sh
scripts/ensure-dovecot.sh
export IDESK_REQUIRE_BROWSER=1
.venv/bin/ruff check src tests bench
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" -p no:cacheprovider "$@"
