"""The evidence bundle of a case: one ZIP that proves what the desk saw, decided and did.

It holds every snapshot exactly as stored (the file's SHA-256 is the snapshot's own hash), the
findings of the signals they name with their whole evidence, the mail attachments as received,
the statements of reasons, the case's timeline with its hash chain, the legal holds in force,
and ``manifest.json`` listing every file with its SHA-256 and size. The SHA-256 of the ZIP
itself goes onto the case's timeline (``evidence.exported``), so the desk can later say
whether a bundle someone hands back is one it produced. ``evidence.verify`` checks a bundle
with nothing but the bundle; docs/investigations.md#evidence says how to read one.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import Actor, case_chain, record
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.decisions.models import Decision, DecisionAction, Guideline
from integrity_desk.decisions.service import subject_refs
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.evidence.domain import FORMAT, MANIFEST, iso, sha256_hex
from integrity_desk.evidence.models import EvidenceSnapshot
from integrity_desk.mail.models import MailContent, MailFile
from integrity_desk.privacy.holds import covering
from integrity_desk.signals.models import Signal, SignalSubject


@dataclass(frozen=True)
class Bundle:
    data: bytes
    sha256: str
    manifest_sha256: str
    filename: str
    files: int
    snapshots: int

    @property
    def headers(self) -> dict[str, str]:
        """As a download (never rendered by a browser), its hash in a header."""
        return {"Content-Disposition": f'attachment; filename="{self.filename}"',
                "X-Evidence-SHA256": self.sha256, "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff"}


def _safe(name: str, limit: int = 80) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:limit] or "file"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True,
                      default=str).encode()


class _Writer:
    """Entries in a fixed order with one timestamp, each hashed as it goes in."""

    def __init__(self, now: datetime) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", compression=zipfile.ZIP_DEFLATED)
        self.stamp = now.timetuple()[:6]
        self.files: dict[str, dict[str, Any]] = {}

    def add(self, path: str, data: bytes) -> str:
        info = zipfile.ZipInfo(path, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = sha256_hex(data)
        self.files[path] = {"sha256": digest, "size": len(data)}
        return digest

    def close(self) -> bytes:
        self.zip.close()
        return self.buffer.getvalue()


def _case_summary(session: Session, case: Case) -> dict[str, Any]:
    subjects = list(session.execute(
        select(CaseSubject.subject_type, CaseSubject.subject_id, CaseSubject.role)
        .where(CaseSubject.case_id == case.id).order_by(CaseSubject.id)))
    decisions = list(session.execute(
        select(Decision, Guideline.code, Guideline.version)
        .outerjoin(Guideline, Guideline.id == Decision.guideline_id)
        .where(Decision.case_id == case.id).order_by(Decision.id)))
    actions = list(session.scalars(
        select(DecisionAction).where(DecisionAction.decision_id.in_(
            [d.id for d, _, _ in decisions])).order_by(DecisionAction.id))) if decisions else []
    refs = subject_refs(session, {(t, i) for t, i, _ in subjects}
                         | {(a.subject_type, a.subject_id) for a in actions})
    by_decision: dict[int, list[dict[str, Any]]] = {}
    for a in actions:
        by_decision.setdefault(a.decision_id, []).append({
            "action": a.action, "subject": refs.get((a.subject_type, a.subject_id)),
            "duration_days": a.duration_days, "applied_at": iso(a.applied_at),
            "closed_at": iso(a.closed_at), "before": a.before, "after": a.after})
    return {
        "case": case.key, "kind": case.kind, "title": case.title,
        "description": case.description, "status": case.status, "category": case.category,
        "requester_type": case.requester_type,
        "requester_organisation": case.requester_organisation,
        "created_at": iso(case.created_at), "decided_at": iso(case.decided_at),
        "closed_at": iso(case.closed_at),
        "subjects": [{"subject": refs.get((t, i)), "role": role} for t, i, role in subjects],
        "decisions": [{
            "id": d.id, "kind": d.kind, "outcome": d.outcome, "status": d.status,
            "guideline": f"{code} v{version}" if code else None, "ground": d.ground,
            "legal_ground": d.legal_ground, "facts": d.facts, "explanation": d.explanation,
            "territorial_scope": d.territorial_scope, "decided_at": iso(d.decided_at),
            "approved_at": iso(d.approved_at), "appeal_of": d.appeal_of_id,
            "actions": by_decision.get(d.id, [])} for d, code, version in decisions],
    }


def _timeline(session: Session, case_id: int) -> tuple[bytes, dict[str, Any]]:
    """The case's own chain, every event exactly as hashed (payload as the stored string)."""
    lines, head, count = [], None, 0
    for ev in session.scalars(select(AuditEvent).where(
            AuditEvent.chain_key == case_chain(case_id)).order_by(AuditEvent.seq)):
        lines.append(json.dumps({
            "chain_key": ev.chain_key, "seq": ev.seq, "case_id": ev.case_id,
            "actor_id": ev.actor_id, "actor_label": ev.actor_label, "kind": ev.kind,
            "category": ev.category, "occurred_at": iso(ev.occurred_at), "payload": ev.payload,
            "prev_hash": ev.prev_hash, "hash": ev.hash}, ensure_ascii=False, sort_keys=True))
        head, count = ev.hash, count + 1
    data = ("\n".join(lines) + "\n").encode() if lines else b""
    return data, {"chain": case_chain(case_id), "events": count, "head": head}


def _signals(session: Session, case_id: int, snapshot_signal_ids: set[int]) -> list[dict[str, Any]]:
    ids = set(snapshot_signal_ids) | set(session.scalars(
        select(Signal.id).where(Signal.case_id == case_id)))
    if not ids:
        return []
    subjects: dict[int, list[tuple[str, int]]] = {}
    for signal_id, t, i in session.execute(
            select(SignalSubject.signal_id, SignalSubject.subject_type, SignalSubject.subject_id)
            .where(SignalSubject.signal_id.in_(sorted(ids)))):
        subjects.setdefault(signal_id, []).append((t, i))
    refs = subject_refs(session, {k for keys in subjects.values() for k in keys})
    return [{"id": s.id, "kind": s.kind, "key": s.key, "strength": s.score,
             "explanation": s.explanation, "evidence": s.evidence,
             "first_seen_at": iso(s.first_seen_at), "last_seen_at": iso(s.last_seen_at),
             "subjects": sorted(refs[k] for k in subjects.get(s.id, []) if k in refs)}
            for s in session.scalars(select(Signal).where(Signal.id.in_(sorted(ids)))
                                     .order_by(Signal.id))]


def export(session: Session, case: Case, *, actor: Actor, now: datetime) -> Bundle:
    """Build the case's bundle and record its hash on the case's timeline."""
    out = _Writer(now)
    out.add("case.json", _json(_case_summary(session, case)))
    snapshots, signal_ids = [], set()
    for snap in session.scalars(select(EvidenceSnapshot).where(
            EvidenceSnapshot.case_id == case.id).order_by(EvidenceSnapshot.id)):
        path = (f"snapshots/{snap.id:07d}-{snap.occasion}-{snap.subject_type}-"
                f"{_safe(snap.subject_ref.partition(':')[2])}.json")
        out.add(path, snap.content.encode())
        signal_ids.update(s["id"] for s in json.loads(snap.content).get("signals", []))
        snapshots.append({"path": path, "id": snap.id, "subject": snap.subject_ref,
                          "occasion": snap.occasion, "decision_id": snap.decision_id,
                          "taken_at": iso(snap.taken_at), "taken_by": snap.taken_by,
                          "sha256": snap.sha256})
    out.add("signals.json", _json(_signals(session, case.id, signal_ids)))
    attachments = []
    for file, content in session.execute(
            select(MailFile, MailContent.content)
            .outerjoin(MailContent, MailContent.sha256 == MailFile.sha256)
            .where(MailFile.case_id == case.id).order_by(MailFile.id)):
        entry = {"id": file.id, "filename": file.filename, "content_type": file.content_type,
                 "size": file.size, "sha256": file.sha256, "path": None}
        if content is not None:  # retention erased the bytes of a closed case's mail
            entry["path"] = f"attachments/{file.id}-{_safe(file.filename, 120)}"
            out.add(entry["path"], bytes(content))
        attachments.append(entry)
    statements = [json.dumps({"puid": s.puid, "subject": s.subject_ref, "version": s.version,
                              "status": s.status, "decision_id": s.decision_id,
                              "created_at": iso(s.created_at), "statement": s.statement},
                             ensure_ascii=False, sort_keys=True, default=str)
                  for s in session.scalars(select(DsaStatement).where(
                      DsaStatement.case_id == case.id).order_by(DsaStatement.id))]
    out.add("statements.jsonl", ("\n".join(statements) + "\n").encode() if statements else b"")
    timeline, chain = _timeline(session, case.id)
    out.add("timeline.jsonl", timeline)
    holds = [{"id": h.id, "reason": h.reason, "case_id": h.case_id,
              "subject_type": h.subject_type, "subject_id": h.subject_id,
              "placed_at": iso(h.placed_at)} for h in covering(session, case.id)]
    manifest = {"format": FORMAT, "case": case.key, "exported_at": iso(now),
                "exported_by": actor.label, "files": out.files, "snapshots": snapshots,
                "attachments": attachments, "timeline": chain, "legal_holds": holds}
    manifest_sha256 = out.add(MANIFEST, _json(manifest))
    data = out.close()
    digest = sha256_hex(data)
    record(session, kind="evidence.exported", category="audit", actor=actor, case_id=case.id,
           at=now, payload={"sha256": digest, "manifest_sha256": manifest_sha256,
                            "files": len(out.files), "snapshots": len(snapshots),
                            "bytes": len(data)})
    return Bundle(data=data, sha256=digest, manifest_sha256=manifest_sha256,
                  filename=f"evidence-{case.key}-{now:%Y%m%dT%H%M%SZ}.zip",
                  files=len(out.files), snapshots=len(snapshots))
