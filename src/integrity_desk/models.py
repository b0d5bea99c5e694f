"""Imports every slice's models so metadata is complete (Alembic, tests). Not imported by slices.

Importing it registers no listener or hook: that is ``integrity_desk.wiring.wire``'s work.
"""

from integrity_desk.audit.models import AuditChain, AuditCheckpoint, AuditCheckpointHead, AuditEvent
from integrity_desk.auth.models import BrowserSession, LoginThrottle
from integrity_desk.cases.models import Case, CaseRequest, CaseSubject, CaseTag
from integrity_desk.configuration.service import ConfigState
from integrity_desk.db import Base
from integrity_desk.decisions.models import (
    ApprovalRule,
    Decision,
    DecisionAction,
    Guideline,
    OutOfCourtDispute,
)
from integrity_desk.dsa.models import DsaStatement, DsaSubmissionLog, TrustedFlagger
from integrity_desk.evidence.models import EvidenceSnapshot
from integrity_desk.forms.models import InternalRequest
from integrity_desk.growth.models import CoachingNote
from integrity_desk.investigations.models import DroppedMember
from integrity_desk.jobs.models import Job
from integrity_desk.kpis.models import CaseOutcome, KpiDay, WeeklyReport
from integrity_desk.mail.models import InboundMail, MailContent, MailFile
from integrity_desk.messages.models import OutboxAttempt, OutboxMessage
from integrity_desk.metrics.models import CaseFlowDay, MetricsRefresh, QueueBacklog
from integrity_desk.misuse.models import MisuseEvent, MisuseMeasure
from integrity_desk.people.models import ApiToken, Certification, Team, User
from integrity_desk.policy_questions.models import PolicyQuestion
from integrity_desk.precedents.models import Precedent, PrecedentKey
from integrity_desk.privacy.models import LegalHold
from integrity_desk.quality.calibration_models import (
    CalibrationAnswer,
    CalibrationExercise,
    CalibrationInvitation,
    CalibrationItem,
)
from integrity_desk.quality.models import QaForm, QaItem, QaPlan
from integrity_desk.reviewdata.models import ImportedFlag
from integrity_desk.routing.models import Queue, QueueRoutingVersion, WorkInterval
from integrity_desk.signals.models import Signal, SignalSubject
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from integrity_desk.sops.models import ChecklistTick, Sop, SopItem
from integrity_desk.subjects.models import Business, Review, Reviewer
from integrity_desk.triage.models import TriageRule
from integrity_desk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from integrity_desk.wellbeing.models import HarmExposure

__all__ = [
    "ApiToken",
    "ApprovalRule",
    "AuditChain",
    "AuditCheckpoint",
    "AuditCheckpointHead",
    "AuditEvent",
    "Base",
    "BrowserSession",
    "Business",
    "CalibrationAnswer",
    "CalibrationExercise",
    "CalibrationInvitation",
    "CalibrationItem",
    "Case",
    "CaseFlowDay",
    "CaseOutcome",
    "CaseRequest",
    "CaseSubject",
    "CaseTag",
    "Certification",
    "ChecklistTick",
    "CoachingNote",
    "ConfigState",
    "Decision",
    "DecisionAction",
    "DroppedMember",
    "DsaStatement",
    "DsaSubmissionLog",
    "EvidenceSnapshot",
    "Guideline",
    "HarmExposure",
    "ImportedFlag",
    "InboundMail",
    "InternalRequest",
    "Job",
    "KpiDay",
    "LegalHold",
    "LoginThrottle",
    "MailContent",
    "MailFile",
    "MetricsRefresh",
    "MisuseEvent",
    "MisuseMeasure",
    "OutOfCourtDispute",
    "OutboxAttempt",
    "OutboxMessage",
    "PolicyQuestion",
    "Precedent",
    "PrecedentKey",
    "QaForm",
    "QaItem",
    "QaPlan",
    "Queue",
    "QueueBacklog",
    "QueueRoutingVersion",
    "Review",
    "Reviewer",
    "Signal",
    "SignalSubject",
    "SlaCalendar",
    "SlaPolicy",
    "Sop",
    "SopItem",
    "Team",
    "TriageRule",
    "TrustedFlagger",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "WeeklyReport",
    "WorkInterval",
]
