"""A queue's routing settings and what it requires of whoever works it: the rules alone, with
no database (docs/routing.md).

The settings are data a manager edits, kept as versions (``QueueRoutingVersion``): this module
says what a valid version is and what the defaults are. What a queue requires (its skills and
the certifications its settings name) is one rule, ``unmet``, asked by every path that gives a
person work: the pull claim, assigning, working a case, and the assign picker.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from integrity_desk.errors import InvalidInput
from integrity_desk.people.certifications import NAME as CERTIFICATION_NAME

MODES = ("pull", "push")
SETTINGS = ("mode", "required_certifications", "quality_weight", "ageing_per_hour", "affinity")
MAX_AGEING_PER_HOUR = 10.0  # ten priority steps an hour: already P4 to P1 in twenty minutes
MAX_CERTIFICATIONS = 20


@dataclass(frozen=True)
class RoutingSettings:
    """One version of a queue's routing settings (frozen: it lives in the cached snapshot)."""

    version: int = 0  # 0: no version stored (a queue made before settings existed)
    mode: str = "pull"
    required_certifications: tuple[str, ...] = ()
    quality_weight: float = 0.5
    ageing_per_hour: float = 0.25
    affinity: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The settings alone (no version), as the audit record and the API show them."""
        return {"mode": self.mode, "required_certifications": list(self.required_certifications),
                "quality_weight": self.quality_weight, "ageing_per_hour": self.ageing_per_hour,
                "affinity": self.affinity}


DEFAULT = RoutingSettings()


def checked_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes in their stored form; the first invalid one refused, naming its field.

    Certification names need not be granted to anyone yet (a manager may require one before
    the first calibration grants it), but they must be names a grant could carry.
    """
    unknown = sorted(set(changes) - set(SETTINGS))
    if unknown:
        raise InvalidInput(f"cannot change {unknown}", field=unknown[0])
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            raise InvalidInput(f"{name.replace('_', ' ')} cannot be emptied", field=name)
        if name == "mode":
            if value not in MODES:
                raise InvalidInput("mode is pull or push", field=name)
            out[name] = value
        elif name == "required_certifications":
            names = sorted({str(n).strip() for n in value})
            bad = [n for n in names if not CERTIFICATION_NAME.match(n)]
            if bad:
                raise InvalidInput(f"{bad[0]!r} is not a certification name (1-64 lower-case "
                                   "letters, digits, '_', '.' or '-')", field=name)
            if len(names) > MAX_CERTIFICATIONS:
                raise InvalidInput(f"at most {MAX_CERTIFICATIONS} certifications", field=name)
            out[name] = names
        elif name == "affinity":
            if not isinstance(value, bool):
                raise InvalidInput("affinity is on or off", field=name)
            out[name] = value
        else:
            number = _number(name, value)
            top = 1.0 if name == "quality_weight" else MAX_AGEING_PER_HOUR
            if not 0 <= number <= top:
                raise InvalidInput(f"{name.replace('_', ' ')} is between 0 and {top:g}",
                                   field=name)
            out[name] = number
    return out


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidInput("a number", field=name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("a number", field=name) from None
    if not math.isfinite(number):
        raise InvalidInput("a finite number", field=name)
    return number


@dataclass(frozen=True)
class Requirements:
    """What a queue requires of whoever works it: every skill, and every certification current."""

    slug: str
    skills: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.skills or self.certifications)


@dataclass(frozen=True)
class Lapse:
    """Why a person does not hold a certification now, when they once did."""

    revoked_at: datetime | None = None
    expired_at: datetime | None = None


@dataclass(frozen=True)
class Standing:
    """What a person brings: their skills and the certifications they hold now (with, for
    the ones they held once, when they lapsed)."""

    skills: Collection[str]
    certifications: Collection[str]
    lapsed: Mapping[str, Lapse] = field(default_factory=dict)


def unmet(requirements: Requirements, standing: Standing, *, who: str | None = None
          ) -> str | None:
    """The first requirement the person does not meet, in words a refusal can show; None when
    they meet them all. Everyone is held to them, managers and admins too: a certification is
    about competence, not rank (docs/decisions.md). ``who``: the person's name when someone
    else is giving them the work."""
    you_have, you_hold = (f"{who} does not have", f"{who} does not hold") if who \
        else ("you do not have", "you do not hold")
    for skill in requirements.skills:
        if skill not in standing.skills:
            return (f"the queue {requirements.slug} requires the skill {skill}, which "
                    f"{you_have}")
    for name in requirements.certifications:
        if name in standing.certifications:
            continue
        lapse = standing.lapsed.get(name)
        since = ""
        if lapse and lapse.revoked_at:
            since = f" (it was revoked on {lapse.revoked_at:%Y-%m-%d})"
        elif lapse and lapse.expired_at:
            since = f" (it expired on {lapse.expired_at:%Y-%m-%d})"
        return (f"the queue {requirements.slug} requires the certification {name}, which "
                f"{you_hold}{since}")
    return None
