#!/usr/bin/env bash
# Re-extract the public forms' messages and merge them into the German and French catalogues
# (new messages arrive empty: translate them; tests/forms/test_translations.py fails until then).
set -euo pipefail
cd "$(dirname "$0")/.."
POT=$(mktemp --suffix=.pot)
.venv/bin/pybabel extract -F babel.cfg -k N_ -k _ --no-location --omit-header -o "$POT" . >/dev/null
for lang in de fr; do
  .venv/bin/pybabel update -i "$POT" -d src/integrity_desk/locale -D public -l "$lang" --no-fuzzy-matching
done
rm -f "$POT"
