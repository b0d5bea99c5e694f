"""Checking an evidence bundle: offline from the bundle alone, then (optionally) against the
desk that produced it.

Offline: every file the manifest lists is there, with its SHA-256 and size, and nothing else
is; each snapshot's file hashes to the snapshot's recorded hash and names its subject; every
event of the timeline hashes to its recorded hash and links to the one before it, up to the
head the manifest names; each attachment hashes to the hash the desk recorded when the mail
arrived. Against the desk: the bundle's own SHA-256 is on the case's timeline
(``evidence.exported``), and the bundle's timeline is the desk's, event for event.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.chain import GENESIS, event_hash
from integrity_desk.audit.models import AuditEvent
from integrity_desk.evidence.domain import FORMAT, MANIFEST, sha256_hex


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    sha256: str
    case: str | None = None
    chain: str | None = None
    timeline: list[dict[str, Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, problems: list[str], fine: str) -> None:
        """One check: passed with ``fine`` as its detail, or failed naming its first problems."""
        if not problems:
            self.checks.append(Check(name, True, fine))
            return
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        self.checks.append(Check(name, False, "; ".join(problems[:5]) + more))


def verify_bytes(data: bytes) -> Report:
    """Every offline check of the bundle (never raises on a bad bundle: it reports it)."""
    report = Report(sha256=sha256_hex(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        report.add("bundle", [f"not an evidence bundle: {exc}"], "")
        return report
    if manifest.get("format") != FORMAT:
        report.add("bundle", [f"format {manifest.get('format')!r}, expected {FORMAT}"], "")
        return report
    report.case = manifest.get("case")
    report.add("bundle", [], f"{FORMAT}, case {report.case}")
    with archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    listed: dict[str, dict[str, Any]] = manifest.get("files", {})
    _files(report, contents, listed)
    _snapshots(report, contents, manifest.get("snapshots", []), listed)
    _attachments(report, contents, manifest.get("attachments", []))
    _timeline(report, contents.get("timeline.jsonl", b""), manifest.get("timeline", {}))
    return report


def _files(report: Report, contents: dict[str, bytes], listed: dict[str, dict[str, Any]]
           ) -> None:
    problems = []
    for path, meta in sorted(listed.items()):
        data = contents.get(path)
        if data is None:
            problems.append(f"{path} is missing")
        elif sha256_hex(data) != meta.get("sha256") or len(data) != meta.get("size"):
            problems.append(f"{path} does not match its hash in the manifest")
    problems += [f"{path} is not in the manifest" for path in sorted(contents)
                 if path != MANIFEST and path not in listed]
    report.add("files", problems, f"{len(listed)} files match the manifest's SHA-256")


def _snapshots(report: Report, contents: dict[str, bytes], snapshots: list[dict[str, Any]],
               listed: dict[str, dict[str, Any]]) -> None:
    problems = []
    for snap in snapshots:
        data = contents.get(snap.get("path", ""))
        if data is None:
            problems.append(f"snapshot {snap.get('id')} has no file")
            continue
        if sha256_hex(data) != snap.get("sha256"):
            problems.append(f"snapshot {snap.get('id')} does not hash to its recorded SHA-256")
            continue
        try:
            subject = json.loads(data).get("subject")
        except ValueError:
            subject = None
        if subject != snap.get("subject"):
            problems.append(f"snapshot {snap.get('id')} is not of {snap.get('subject')}")
    report.add("snapshots", problems, f"{len(snapshots)} snapshots hash to their recorded "
               "SHA-256")


def _attachments(report: Report, contents: dict[str, bytes],
                 attachments: list[dict[str, Any]]) -> None:
    problems, kept = [], 0
    for file in attachments:
        if not file.get("path"):
            continue  # erased by retention before the export: listed, not included
        kept += 1
        data = contents.get(file["path"])
        if data is None or sha256_hex(data) != file.get("sha256"):
            problems.append(f"{file['path']} is not the file the desk received")
    report.add("attachments", problems, f"{kept} attachments are as received")


def _timeline(report: Report, data: bytes, chain: dict[str, Any]) -> None:
    problems: list[str] = []
    events = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
    report.chain, report.timeline = chain.get("chain"), events
    prev_seq, prev_hash = None, None
    for ev in events:
        where = f"event {ev.get('seq')} ({ev.get('kind')})"
        if ev.get("chain_key") != chain.get("chain"):
            problems.append(f"{where} is on another chain")
        if prev_seq is None:
            if ev["seq"] == 1 and ev["prev_hash"] != GENESIS:
                problems.append(f"{where} does not start the chain")
        elif ev["seq"] != prev_seq + 1 or ev["prev_hash"] != prev_hash:
            problems.append(f"{where} does not follow event {prev_seq}")
        digest = event_hash(
            prev_hash=ev["prev_hash"], chain_key=ev["chain_key"], seq=ev["seq"],
            case_id=ev["case_id"], actor_id=ev["actor_id"], actor_label=ev["actor_label"],
            kind=ev["kind"], category=ev["category"],
            occurred_at=datetime.fromisoformat(ev["occurred_at"]), payload=ev["payload"])
        if digest != ev["hash"]:
            problems.append(f"{where} does not hash to its recorded hash")
        prev_seq, prev_hash = ev["seq"], ev["hash"]
    if len(events) != chain.get("events") or prev_hash != chain.get("head"):
        problems.append("the timeline does not end at the head the manifest names")
    report.add("timeline", problems, f"{len(events)} events, hash chain intact up to "
               f"{(prev_hash or '-')[:12]}")


def against_desk(session: Session, report: Report) -> None:
    """Add the checks only the desk can answer: did it export this bundle, and is the
    bundle's timeline its own."""
    if not report.chain:
        report.add("recorded", ["the bundle names no case timeline"], "")
        return
    exported = [json.loads(p) for p in session.scalars(
        select(AuditEvent.payload).where(AuditEvent.chain_key == report.chain,
                                         AuditEvent.kind == "evidence.exported"))]
    recorded = any(p.get("sha256") == report.sha256 for p in exported)
    report.add("recorded", [] if recorded else [
        f"no export of a bundle with SHA-256 {report.sha256} is on {report.case}'s timeline"],
        f"the desk recorded exporting this bundle ({report.sha256[:12]}…)")
    seqs = [ev["seq"] for ev in report.timeline]
    desk = {seq: digest for seq, digest in session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(
            AuditEvent.chain_key == report.chain, AuditEvent.seq.in_(seqs)))} if seqs else {}
    differ = [f"event {ev['seq']} differs from the desk's" for ev in report.timeline
              if desk.get(ev["seq"]) != ev["hash"]]
    report.add("desk timeline", differ, f"{len(seqs)} events are the desk's own")
