"""A private Dovecot IMAP server for one test: its own configuration, port, users and maildirs
under the test's temporary directory (scripts/ensure-dovecot.sh installs Debian's package)."""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class Imap:
    port: int
    user: str
    password: str

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX"

    def append(self, message: bytes) -> None:
        """Deliver a message into the INBOX, as a mail server would (IMAP APPEND)."""
        with imaplib.IMAP4("127.0.0.1", self.port) as box:
            box.login(self.user, self.password)
            box.append("INBOX", "", imaplib.Time2Internaldate(time.time()), message)

    def unseen(self) -> int:
        with imaplib.IMAP4("127.0.0.1", self.port) as box:
            box.login(self.user, self.password)
            box.select("INBOX")
            return len(box.search(None, "UNSEEN")[1][0].split())


def start(root: Path) -> tuple[subprocess.Popen[bytes] | None, Imap]:
    if not os.path.exists(DOVECOT):
        pytest.fail("Dovecot is missing: run scripts/ensure-dovecot.sh")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    # Dovecot's unprivileged processes must reach their sockets under the test's directory.
    for path in [root, *root.parents]:
        if path == Path("/"):
            break
        path.chmod(path.stat().st_mode | 0o711)
    # Mail is never owned by root (Dovecot refuses uid 0): a root test run stores it as nobody.
    uid, gid = (os.getuid(), os.getgid()) if os.getuid() else (65534, 65534)
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid)
    (root / "passwd").write_text("desk:{PLAIN}mailbox-secret\n")
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, uid=uid, gid=gid))
    subprocess.run([DOVECOT, "-c", str(root / "dovecot.conf")], check=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        pytest.fail(f"Dovecot did not listen on {port}: {log[-2000:]}")
    return None, Imap(port, "desk", "mailbox-secret")


def stop(root: Path) -> None:
    subprocess.run([DOVECOT, "-c", str(root / "dovecot.conf"), "stop"], check=False,
                   capture_output=True)
    deadline = time.monotonic() + 10
    while (root / "run" / "master.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    shutil.rmtree(root / "run", ignore_errors=True)
