"""SMTP intake benchmark: a real ``idesk mail serve`` takes legal letters with a 200 KB PDF.

    .venv/bin/python -m bench.mail_intake --db postgresql [--messages 1500] [--clients 8]

``--clients`` threads each hold an SMTP session and send letters back to back (several per
session, as a relay does), every one with a PDF of its own (random bytes, so content-addressed
storage saves nothing) and a sender of its own (the per-sender rate is not what is measured).
Each message is timed from its MAIL FROM to its 250, which the server sends only after its
commit. Afterwards the database is checked: every message is a triaged legal-notice case with
its PDF stored. Target: ≥ 50 messages/s (issue 18). CPU per message of the server and of
PostgreSQL are printed with the load average: on a shared machine they are steadier than the
rate.
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import subprocess
import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import func, select

from bench.common import (
    IDESK,
    Table,
    _postgres_pids,
    _proc_cpu,
    free_port,
    fresh_database,
    latency_ms,
    load_average,
    log,
)
from integrity_desk.cases.models import Case
from integrity_desk.mail.models import InboundMail, MailFile

NAME = "mail_intake"
TARGET = 50
PDF_BYTES = 200 * 1024
LETTER = """Sehr geehrte Damen und Herren,

die unter https://reviews.example.com/reviews/rv-{n} veröffentlichte Bewertung ist eine
unwahre Tatsachenbehauptung (üble Nachrede, § 186 StGB; Unterlassung nach § 823 BGB nach
deutschem Recht). Bitte entfernen Sie sie bis zum 15.01.2030.

Wir versichern in gutem Glauben, dass diese Angaben richtig und vollständig sind.

Dr. Anna Schmidt, Rechtsanwältin, Kanzlei Schmidt
"""


def _letter(client: int, n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Dr. Anna Schmidt <kanzlei{client}@kanzlei.example>"
    msg["To"] = "legal@desk.example"
    msg["Subject"] = f"Abmahnung wegen Bewertung rv-{client}-{n}"
    msg["Message-ID"] = make_msgid(domain="kanzlei.example")
    msg.set_content(LETTER.format(n=f"{client}-{n}"))
    pdf = b"%PDF-1.4\n" + os.urandom(PDF_BYTES - 16) + b"\n%%EOF\n"
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="abmahnung.pdf")
    return msg


def _wire(msg: EmailMessage) -> bytes:
    """The message as it goes over the wire (CRLF line ends), built before the clock runs: the
    client's MIME encoding is not the server's cost."""
    return msg.as_bytes().replace(b"\n", b"\r\n")


def _client(port: int, client: int, letters: list[bytes], per_session: int,
            times: list[float], errors: list[str]) -> None:
    sent, count = 0, len(letters)
    while sent < count:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
            for _ in range(min(per_session, count - sent)):
                t0 = time.perf_counter()
                try:
                    refused = smtp.sendmail(f"kanzlei{client}@kanzlei.example",
                                            ["legal@desk.example"], letters[sent])
                except smtplib.SMTPException as exc:
                    errors.append(str(exc))
                    refused = None
                times.append(time.perf_counter() - t0)
                if refused:
                    errors.append(str(refused))
                sent += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-session", type=int, default=20)
    args = parser.parse_args()
    db = fresh_database(args.db, NAME)
    db.engine.dispose()
    port = free_port()
    env = {**os.environ, "IDESK_DATABASE_URL": db.url, "IDESK_SECRET_KEY": "bench-mail",
           "IDESK_MAIL_RATE_PER_SENDER": "100000/hour", "IDESK_DB_POOL_SIZE": "16"}
    server = subprocess.Popen([str(IDESK), "mail", "serve", "--port", str(port)], env=env,
                              stderr=subprocess.PIPE)
    assert server.stderr is not None
    server.stderr.readline()  # "listening on …"
    per_client = args.messages // args.clients
    total = per_client * args.clients
    letters = [[_wire(_letter(c, n)) for n in range(per_client)] for c in range(args.clients)]
    times: list[float] = []
    errors: list[str] = []
    log(f"{args.db}: {total:,} letters with a {PDF_BYTES // 1024} KB PDF from "
        f"{args.clients} clients")
    load = load_average()
    pg0 = sum(_proc_cpu(p) for p in _postgres_pids()[0])
    srv0 = _proc_cpu(server.pid)
    t0 = time.monotonic()
    threads = [threading.Thread(target=_client, args=(port, c, letters[c], args.per_session,
                                                      times, errors))
               for c in range(args.clients)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        server_cpu = _proc_cpu(server.pid) - srv0
        pg_cpu = sum(_proc_cpu(p) for p in _postgres_pids()[0]) - pg0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    with db.session() as s:
        cases = dict(s.execute(select(Case.status, func.count()).where(
            Case.kind == "legal_notice").group_by(Case.status)).all())
        mails = s.scalar(select(func.count()).select_from(InboundMail))
        files = s.scalar(select(func.count()).select_from(MailFile))
    if errors or cases != {"triaged": total} or mails != total or files != total:
        raise SystemExit(f"not every letter became a case: {cases}, {mails} messages, "
                         f"{files} files, errors: {errors[:3]}")
    lat = latency_ms(times)
    table = Table(f"SMTP intake on {args.db}: {total:,} letters with a 200 KB PDF, "
                  f"{args.clients} clients (load before: {load}; after: {load_average()}; "
                  f"{os.cpu_count()} cores)")
    table.add("messages/s (each a triaged case, 250 after commit)", total / wall,
              target=f"≥ {TARGET}", ok=total / wall >= TARGET)
    table.add("latency p50 ms (MAIL FROM to 250)", lat["p50"], fmt="{:.1f}")
    table.add("latency p95 ms", lat["p95"], fmt="{:.1f}")
    table.add("server CPU ms per message", server_cpu * 1000 / total, fmt="{:.2f}")
    desk_cpu = server_cpu
    if args.db == "postgresql":
        table.add("PostgreSQL CPU ms per message", pg_cpu * 1000 / total, fmt="{:.2f}")
        desk_cpu += pg_cpu
    # What the machine's cores could take were they the desk's alone (server + database).
    table.add(f"messages/s the {os.cpu_count()} cores allow at that CPU per message",
              (os.cpu_count() or 1) * total / desk_cpu, fmt="{:.0f}")
    table.print()


if __name__ == "__main__":
    main()
