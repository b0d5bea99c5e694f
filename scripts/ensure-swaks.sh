#!/usr/bin/env bash
# Makes sure swaks (Debian's SMTP test client) is on PATH: one intake test sends with a client
# other than Python's smtplib, so the server is not only right for the client it was built with.
set -euo pipefail
if command -v swaks >/dev/null 2>&1; then exit 0; fi
echo "installing swaks from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq swaks >/dev/null
command -v swaks >/dev/null 2>&1 || { echo "swaks did not install" >&2; exit 1; }
