"""Load the rule set and score cases; managers edit rules here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.errors import InvalidInput
from integrity_desk.triage.defaults import DEFAULT_RULES
from integrity_desk.triage.domain import (
    Rule,
    TriageFacts,
    TriageResult,
    harm_cap,
    score,
    validate_rule,
)
from integrity_desk.triage.models import TriageRule


class RuleBook:
    """The active rules, read once per unit of work."""

    def __init__(self, session: Session) -> None:
        self.rules = [
            Rule(r.name, r.factor, r.params)
            for r in session.scalars(
                select(TriageRule).where(TriageRule.active).order_by(TriageRule.position,
                                                                     TriageRule.id)
            )
        ]

        self.harm_cap = harm_cap(self.rules)

    def score(self, facts: TriageFacts) -> TriageResult:
        return score(self.rules, facts)


def list_rules(session: Session) -> list[TriageRule]:
    return list(session.scalars(select(TriageRule).order_by(TriageRule.position, TriageRule.id)))


def replace_rules(session: Session, rules: list[dict[str, Any]], *, actor: Actor) -> None:
    """Swap the whole rule set in one transaction, recorded with before and after."""
    names = [r["name"] for r in rules]
    if len(names) != len(set(names)):
        raise InvalidInput("rule names must be unique", field="rules")
    for n, r in enumerate(rules):
        try:
            validate_rule(r["factor"], r.get("params", {}))
        except ValueError as exc:
            raise InvalidInput(str(exc), field=f"rules.{n}.params") from exc
    before = [
        {"name": r.name, "factor": r.factor, "params": r.params, "active": r.active}
        for r in list_rules(session)
    ]
    session.execute(delete(TriageRule))
    for n, r in enumerate(rules):
        session.add(TriageRule(name=r["name"], factor=r["factor"], params=r.get("params", {}),
                               active=r.get("active", True), position=n))
    session.flush()
    record(session, kind="triage.rules_changed", category="audit", actor=actor,
           chain_key="config", payload={"before": before, "after": rules})


def ensure_default_rules(session: Session) -> None:
    if session.scalar(select(TriageRule.id).limit(1)) is None:
        for n, r in enumerate(DEFAULT_RULES):
            session.add(TriageRule(name=r["name"], factor=r["factor"], params=r["params"],
                                   position=n))
