"""Messages the desk sends to people outside it, rendered from plain-text templates per kind
and language (English where a language has no template).

A template's first line is ``Subject: …``; the rest is the body. Callers pass codes and
facts, not sentences: the template says them in its language through the phrase helpers
(``t``, ``action``, ``greeting``, ``moment`` from ``phrases``), so a German letter holds no
English words from the desk. Pure: no database.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from integrity_desk.messages.phrases import helpers

TEMPLATES = Path(__file__).with_name("templates")
FALLBACK = "en"


class MessageKind(StrEnum):
    RECEIPT = "receipt"  # DSA Art. 16(4), Art. 20: confirmation of receipt
    DECISION_NOTICE = "decision_notice"  # Art. 16(5): the decision on a notice, with redress
    APPEAL_OUTCOME = "appeal_outcome"  # Art. 20(4)-(5): the reasoned outcome of a complaint
    STATEMENT_OF_REASONS = "statement_of_reasons"  # Art. 17: to the person restricted
    DOCUMENTATION_REQUEST = "documentation_request"  # proof of the experience, by a date
    REPLY = "reply"  # a specialist's own words to the requester, typed in the case view


# Each message a decision owes has one idempotency key, built here only: queueing it twice is a
# no-op, and whoever later asks "was it sent, and when?" (the appeal window, the decision
# panel) finds it by the same key.
def statement_key(action_id: int) -> str:
    """The Art. 17 statement of reasons for an action (the first action on its subject)."""
    return f"sor:action:{action_id}"


def decision_notice_key(decision_id: int) -> str:
    """The Art. 16(5) decision on a notice, to its notifier."""
    return f"decision_notice:decision:{decision_id}"


def documentation_request_key(action_id: int) -> str:
    """The request for documentation an action asks for, to the reviewer."""
    return f"documentation_request:action:{action_id}"


def reply_key(case_id: int, nonce: str) -> str:
    """A specialist's reply: the nonce of the form or API call that wrote it, so sending the
    same reply twice (a double click, a retried request) queues it once."""
    return f"reply:case:{case_id}:{nonce}"


def appeal_outcome_key(decision_id: int) -> str:
    """The Art. 20 reasoned outcome of a complaint, to its complainant."""
    return f"appeal_outcome:decision:{decision_id}"


class Status(StrEnum):
    HELD = "held"  # waits for counsel's review before it may go out
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # kept for rows of older versions; delivery now ends sent or dead
    DEAD = "dead"  # refused for good (5xx) or out of attempts: listed, and replayable
    NO_ADDRESS = "no_address"  # nobody to send it to: kept as the record it was due


@cache
def _environment() -> Environment:
    # Plain text, not HTML: nothing to escape, but every variable must exist.
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False,
                       undefined=StrictUndefined, keep_trailing_newline=True)


def render(kind: MessageKind, language: str | None, context: dict[str, Any]) -> tuple[str, str,
                                                                                        str]:
    """(subject, body, language used) for the kind in the language, else in English."""
    tried = [language.split("-")[0].lower()] if language else []
    for lang in [*tried, FALLBACK]:
        try:
            template = _environment().get_template(f"{kind.value}.{lang}.txt")
        except TemplateNotFound:
            continue
        text = template.render(**context, **helpers(lang))
        first, _, body = text.partition("\n")
        if not first.startswith("Subject: "):
            raise ValueError(f"{kind.value}.{lang}.txt must start with 'Subject: '")
        return first.removeprefix("Subject: ").strip(), body.strip() + "\n", lang
    raise LookupError(f"no template for {kind.value}")
