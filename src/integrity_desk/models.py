"""Imports every slice's models so metadata is complete (Alembic, tests). Not imported by slices."""

from integrity_desk.audit.models import AuditChain, AuditCheckpoint, AuditCheckpointHead, AuditEvent
from integrity_desk.cases.models import Case, CaseRequest, CaseSubject, CaseTag
from integrity_desk.configuration import ConfigState
from integrity_desk.db import Base
from integrity_desk.dsa.models import DsaStatement, DsaSubmissionLog, TrustedFlagger
from integrity_desk.jobs.models import Job
from integrity_desk.people.models import ApiToken, Team, User
from integrity_desk.routing.models import Queue
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from integrity_desk.subjects.models import Business, Review, Reviewer
from integrity_desk.triage.models import TriageRule

__all__ = [
    "ApiToken", "AuditChain", "AuditCheckpoint", "AuditCheckpointHead", "AuditEvent", "Base",
    "Business", "Case", "CaseRequest", "CaseSubject", "CaseTag", "ConfigState", "DsaStatement",
    "DsaSubmissionLog", "Job", "Queue",
    "Review", "Reviewer", "SlaCalendar", "SlaPolicy", "Team", "TriageRule", "TrustedFlagger",
    "User",
]
