"""Deciding on a large investigation: one decision removing ``--subjects`` reviews at once.

    .venv/bin/python -m bench.decide --db postgresql --subjects 1000 --runs 3

Issue 17's speed target: deciding on an investigation with 1,000 subjects (one statement of
reasons each) takes at most 2 s on PostgreSQL. Each run opens an investigation case with
``--subjects`` reviews through the desk's own intake (POST /api/v1/cases), claims it, and times
POST /api/v1/cases/{key}/decisions with one ``remove_review`` action per review (an action that
needs no second pair of eyes, so the decision is applied, stated and messaged at once).

The decision is timed twice: in process (a TestClient on the same database, with the SQL
statements counted and timed through SQLAlchemy's cursor events) and over HTTP against a real
``idesk serve`` process. CPU time is reported beside wall-clock, per request, for the process
that served it and for PostgreSQL's backends, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from sqlalchemy import event, text

from bench.common import (
    Client,
    CpuMeter,
    Http,
    Table,
    fresh_database,
    load_average,
    log,
    make_clients,
    percentile,
    server,
    statement_lines,
)
from integrity_desk.db import Database

TARGET_S = 2.0


def investigation_body(prefix: str, subjects: int) -> dict[str, Any]:
    """An investigation naming ``subjects`` reviews the desk has not seen (intake mirrors them)."""
    return {"kind": "investigation", "title": f"Review ring {prefix}",
            "description": "Hundreds of 5-star reviews from new accounts in 48 hours.",
            "business_domains": ["ring.example.com"],
            "reviews": [{"ref": f"{prefix}-r{n}", "text": "Best shop ever!!!", "rating": 5,
                         "language": "en", "business_domain": "ring.example.com",
                         "reviewer_ref": f"{prefix}-u{n % 50}"} for n in range(subjects)]}


def decision_body(prefix: str, subjects: int) -> dict[str, Any]:
    return {"guideline": "fake", "explanation": "The reviews follow one paid template.",
            "facts": "Same template, same payment trail, accounts created the same day.",
            "territorial_scope": ["DE", "DK", "NL"],
            "actions": [{"action": "remove_review", "subject": f"review:{prefix}-r{n}"}
                        for n in range(subjects)]}


def claimed_case(send: Any, prefix: str, subjects: int) -> str:
    """Open the investigation through intake and claim it; its key."""
    status, body = send("POST", "/api/v1/cases", investigation_body(prefix, subjects))
    if status != 201:
        raise SystemExit(f"intake: {status} {body[:500]!r}")
    key = json.loads(body)["case"]["key"]
    status, body = send("POST", f"/api/v1/cases/{key}/claim", None)
    if status != 200:
        raise SystemExit(f"claim: {status} {body[:500]!r}")
    return key


def check_result(db: Database, key: str, subjects: int) -> tuple[int, int]:
    """(statements, messages) the decision left on the case, read back from the database."""
    case_id = int(key.rsplit("-", 1)[1])  # a case's key is its kind's prefix and its id
    with db.engine.connect() as conn:
        statements = conn.scalar(text("SELECT count(*) FROM dsa_statements WHERE case_id = :c"),
                                 {"c": case_id})
        messages = conn.scalar(text("SELECT count(*) FROM outbox WHERE case_id = :c "
                                    "AND kind = 'statement_of_reasons'"), {"c": case_id})
    if statements != subjects or messages != subjects:
        log(f"{key}: {statements} statements and {messages} messages, expected {subjects}")
    return statements, messages


def in_process(db: Database, client: Client, *, subjects: int, runs: int, stamp: str
               ) -> dict[str, Any]:
    """Decide ``runs`` cases through a TestClient; wall, CPU and SQL of each decision."""
    from fastapi.testclient import TestClient

    from integrity_desk.api.app import create_app
    from integrity_desk.settings import Settings

    statements: list[tuple[str, Any, float]] = []
    started: dict[int, float] = {}
    counting = [False]

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
               many: bool) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
              many: bool) -> None:
        if counting[0]:
            statements.append((statement, params,
                               time.perf_counter() - started.pop(id(cursor), time.perf_counter())))

    app = create_app(db, Settings(database_url=db.url))
    out: dict[str, Any] = {"wall": [], "cpu": [], "pg_cpu": [], "sql": [], "counts": [],
                           "statements": [], "checked": []}
    with TestClient(app) as tc:
        def send(method: str, path: str, body: Any) -> tuple[int, bytes]:
            r = tc.request(method, path, headers=client.headers, json=body)
            return r.status_code, r.content

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        try:
            for n in range(runs):
                prefix = f"{stamp}-ip{n}"
                key = claimed_case(send, prefix, subjects)
                statements.clear()
                meter = CpuMeter(os.getpid())
                counting[0] = True
                meter.start()
                t, c = time.perf_counter(), time.process_time()
                status, body = send("POST", f"/api/v1/cases/{key}/decisions",
                                    decision_body(prefix, subjects))
                wall, cpu = time.perf_counter() - t, time.process_time() - c
                meter.stop()
                counting[0] = False
                if status != 201:
                    raise SystemExit(f"decide: {status} {body[:500]!r}")
                out["wall"].append(wall)
                out["cpu"].append(cpu)
                out["pg_cpu"].append(meter.used.get("postgresql (bench dbs)", 0.0))
                out["sql"].append(sum(s[2] for s in statements))
                out["counts"].append(len(statements))
                out["statements"] = list(statements)
                out["checked"].append(check_result(db, key, subjects))
                log(f"in process run {n + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                    f"{len(statements)} statements")
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
            event.remove(db.engine, "after_cursor_execute", after)
    return out


def over_http(db: Database, client: Client, *, subjects: int, runs: int, stamp: str,
              db_name: str) -> dict[str, Any]:
    """Decide ``runs`` cases against a real server; wall and server CPU of each decision."""
    url = db.engine.url.render_as_string(hide_password=False)
    out: dict[str, Any] = {"wall": [], "server_cpu": [], "pg_cpu": [], "checked": []}
    with server(url, workers=1, name=f"decide-{db_name}") as srv:
        http = Http(srv.url, client.headers, timeout=120)
        try:
            for n in range(runs):
                prefix = f"{stamp}-http{n}"
                key = claimed_case(http.request, prefix, subjects)
                body = decision_body(prefix, subjects)
                meter = CpuMeter(srv.process.pid)
                meter.start()
                t = time.perf_counter()
                status, answer = http.request("POST", f"/api/v1/cases/{key}/decisions", body)
                wall = time.perf_counter() - t
                meter.stop()
                if status != 201:
                    raise SystemExit(f"decide: {status} {answer[:500]!r}")
                out["wall"].append(wall)
                out["server_cpu"].append(meter.used["server"])
                out["pg_cpu"].append(meter.used.get("postgresql (bench dbs)", 0.0))
                out["checked"].append(check_result(db, key, subjects))
                log(f"HTTP run {n + 1}: {wall:.2f} s wall, server {meter.used['server']:.2f} s "
                    f"CPU")
        finally:
            http.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--subjects", type=int, default=1000, help="reviews removed by the decision")
    p.add_argument("--runs", type=int, default=3, help="decisions timed each way")
    p.add_argument("--skip-http", action="store_true")
    args = p.parse_args(argv)

    log(f"decision benchmark on {args.db}: {args.subjects} subjects; "
        f"load average {load_average()}")
    db = fresh_database(args.db, "decide")
    client = make_clients(db, role="specialist", count=1, prefix="decide")[0]
    stamp = time.strftime("%H%M%S")
    ip = in_process(db, client, subjects=args.subjects, runs=args.runs, stamp=stamp)
    table = Table(f"deciding on an investigation with {args.subjects} subjects on {args.db}")

    def mid(values: list[float]) -> float:
        return percentile(values, 50)

    target = f"<= {TARGET_S:.0f} s" if args.db == "postgresql" else ""
    ok = mid(ip["wall"]) <= TARGET_S if args.db == "postgresql" else None
    table.add("in process: wall s (median)", mid(ip["wall"]), fmt="{:.2f}", target=target,
              ok=ok)
    table.add("in process: wall s (each run)", " / ".join(f"{w:.2f}" for w in ip["wall"]))
    table.add("in process: CPU s of the desk (median)", mid(ip["cpu"]), fmt="{:.2f}")
    table.add("in process: CPU s of PostgreSQL (median)", mid(ip["pg_cpu"]), fmt="{:.2f}")
    table.add("in process: SQL s (median)", mid(ip["sql"]), fmt="{:.2f}")
    table.add("in process: SQL statements", str(ip["counts"]))
    table.add("in process: statements / messages issued", str(ip["checked"][-1]),
              target=f"{args.subjects} / {args.subjects}",
              ok=ip["checked"][-1] == (args.subjects, args.subjects))
    if not args.skip_http:
        hp = over_http(db, client, subjects=args.subjects, runs=args.runs, stamp=stamp,
                       db_name=args.db)
        ok = mid(hp["wall"]) <= TARGET_S if args.db == "postgresql" else None
        table.add("HTTP: wall s (median)", mid(hp["wall"]), fmt="{:.2f}", target=target, ok=ok)
        table.add("HTTP: wall s (each run)", " / ".join(f"{w:.2f}" for w in hp["wall"]))
        table.add("HTTP: server CPU s (median)", mid(hp["server_cpu"]), fmt="{:.2f}")
        table.add("HTTP: CPU s of PostgreSQL (median)", mid(hp["pg_cpu"]), fmt="{:.2f}")
        table.add("HTTP: statements / messages issued", str(hp["checked"][-1]),
                  target=f"{args.subjects} / {args.subjects}",
                  ok=hp["checked"][-1] == (args.subjects, args.subjects))
    table.add("load average after run", load_average())
    table.print()
    print("\n-- statements of the last in-process decision --")
    print("\n".join(statement_lines(ip["statements"])))
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
