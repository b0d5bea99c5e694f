"""Triage rules over HTTP: everyone may read why cases rank as they do; managers tune it."""

from __future__ import annotations

from fastapi import APIRouter

from integrity_desk.api.deps import ConfigManager, ConfigReader, SessionDep
from integrity_desk.triage import service
from integrity_desk.triage.schemas import RuleIO, RuleSet

router = APIRouter(tags=["triage"])


@router.get("/triage/rules", response_model=RuleSet)
def get_rules(session: SessionDep, principal: ConfigReader) -> RuleSet:
    return RuleSet(rules=[RuleIO.model_validate(r) for r in service.list_rules(session)])


@router.put("/triage/rules", response_model=RuleSet)
def put_rules(body: RuleSet, session: SessionDep, principal: ConfigManager) -> RuleSet:
    service.replace_rules(session, [r.model_dump() for r in body.rules], actor=principal.actor)
    return get_rules(session, principal)
