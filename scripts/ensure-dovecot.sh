#!/usr/bin/env bash
# Makes sure Dovecot's IMAP server is installed (Debian's packages) for the mailbox-polling
# tests, which run a private Dovecot of their own (tests/mail/dovecot.py): a real IMAP server,
# not a fake of the commands imap-tools happens to use. The system's own Dovecot stays off.
set -euo pipefail
if [ -x /usr/sbin/dovecot ]; then exit 0; fi
echo "installing Dovecot from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq dovecot-imapd >/dev/null
# The package starts the system's instance where it can; the tests never use it.
(service dovecot stop || true) >/dev/null 2>&1
[ -x /usr/sbin/dovecot ] || { echo "Dovecot did not install" >&2; exit 1; }
