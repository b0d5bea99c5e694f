"""Triage rules over HTTP: everyone may read why cases rank as they do; managers tune it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.api.deps import ConfigManager, ConfigReader, SessionDep
from integrity_desk.triage import service

router = APIRouter(tags=["triage"])


class RuleIO(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    name: str = Field(min_length=1, max_length=64)
    factor: str
    params: dict[str, Any] = {}
    active: bool = True


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[RuleIO] = Field(min_length=1)


@router.get("/triage/rules", response_model=RuleSet)
def get_rules(session: SessionDep, principal: ConfigReader) -> RuleSet:
    return RuleSet(rules=[RuleIO.model_validate(r) for r in service.list_rules(session)])


@router.put("/triage/rules", response_model=RuleSet)
def put_rules(body: RuleSet, session: SessionDep, principal: ConfigManager) -> RuleSet:
    service.replace_rules(session, [r.model_dump() for r in body.rules], actor=principal.actor)
    session.commit()
    return get_rules(session, principal)
