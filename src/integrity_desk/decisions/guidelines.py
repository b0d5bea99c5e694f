"""Guidelines as versioned data: every edit is a new version, the old one stays citable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.domain import GuidelineCategory
from integrity_desk.db import utcnow
from integrity_desk.decisions.defaults import GUIDELINES
from integrity_desk.decisions.domain import Ground, parse_ladder
from integrity_desk.decisions.models import Guideline
from integrity_desk.errors import InvalidInput, NotFound

EDITABLE = ("title", "text", "category", "dsa_category", "dsa_keywords", "default_ground",
            "legal_ground", "severity", "sanctions")


def ensure_default_guidelines(session: Session) -> None:
    have = set(session.scalars(select(Guideline.code)))
    for g in GUIDELINES:
        if g["code"] not in have:
            session.add(Guideline(version=1, is_current=True, change_note="default", **g))
    session.flush()


def current(session: Session) -> list[Guideline]:
    return list(session.scalars(select(Guideline).where(Guideline.is_current)
                                .order_by(Guideline.code)))


def get(session: Session, code: str, version: int | None = None) -> Guideline:
    """The version named, or the one in force."""
    query = select(Guideline).where(Guideline.code == code)
    query = query.where(Guideline.version == version) if version else query.where(
        Guideline.is_current)
    guideline = session.scalar(query)
    if guideline is None:
        where = f" version {version}" if version else ""
        raise NotFound(f"no guideline {code!r}{where}", field="guideline")
    return guideline


def versions(session: Session, code: str) -> list[Guideline]:
    found = list(session.scalars(select(Guideline).where(Guideline.code == code)
                                 .order_by(Guideline.version.desc())))
    if not found:
        raise NotFound(f"no guideline {code!r}", field="guideline")
    return found


def _check(values: dict[str, Any], check_dsa: Any) -> None:
    if values["category"] not in {c.value for c in GuidelineCategory}:
        raise InvalidInput(f"unknown guideline category {values['category']!r}",
                           field="category")
    if values["default_ground"] not in {g.value for g in Ground}:
        raise InvalidInput("illegal_content or incompatible_content", field="default_ground")
    if values["default_ground"] == Ground.ILLEGAL_CONTENT and not values.get("legal_ground"):
        raise InvalidInput("a section on illegal content names its legal ground",
                           field="legal_ground")
    if not 1 <= int(values["severity"]) <= 4:
        raise InvalidInput("severity is 1 (minor) to 4 (critical)", field="severity")
    parse_ladder(values["sanctions"])
    check_dsa(values["dsa_category"], values["dsa_keywords"])


def save(session: Session, code: str, changes: dict[str, Any], *, actor: Actor,
         note: str | None, check_dsa: Any) -> Guideline:
    """Create a guideline (version 1) or a new version of it with the changes applied.

    The previous version stops being current in the same transaction; decisions that cited it
    keep pointing at it.
    """
    old = session.scalar(select(Guideline).where(Guideline.code == code, Guideline.is_current)
                         .with_for_update())
    if old is None and session.scalar(select(func.count()).where(Guideline.code == code)):
        raise InvalidInput(f"guideline {code!r} has no current version", field="code")
    base = {k: getattr(old, k) for k in EDITABLE} if old else {}
    values = {**base, **{k: v for k, v in changes.items() if k in EDITABLE}}
    missing = [k for k in EDITABLE if k not in values and k != "legal_ground"]
    if missing:
        raise InvalidInput(f"a new guideline needs {', '.join(missing)}", field=missing[0])
    values.setdefault("legal_ground", None)
    _check(values, check_dsa)
    if old is not None and all(values[k] == base[k] for k in EDITABLE):
        return old
    version = 1
    if old is not None:
        version = old.version + 1
        session.execute(update(Guideline).where(Guideline.id == old.id)
                        .values(is_current=False).execution_options(synchronize_session=False))
        session.flush()
    guideline = Guideline(code=code, version=version, is_current=True, change_note=note,
                          created_by_id=actor.id, created_at=utcnow(), **values)
    session.add(guideline)
    session.flush()
    record(session, kind="guideline.versioned", category="audit", actor=actor,
           chain_key="config", payload={
               "code": code, "version": version, "note": note,
               "changes": {k: {"before": base.get(k), "after": values[k]} for k in EDITABLE
                           if base.get(k) != values[k]}})
    return guideline
