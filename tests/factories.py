"""Valid request bodies for every case kind, to vary in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def flag(ref: str = "r1", **over: Any) -> dict[str, Any]:
    body = {"kind": "flag", "review": {"ref": ref, "text": "Best ever!!!", "rating": 5,
                                       "language": "en", "business_domain": "shop.example.com",
                                       "reviewer_ref": "u1"},
            "reporter_type": "business", "reporter": {"name": "Shop Owner",
                                                      "email": "owner@shop.example.com"},
            "category": "fake", "reason": "Never a customer."}
    body.update(over)
    return body


def csm(domain: str = "shop.example.com", **over: Any) -> dict[str, Any]:
    body = {"kind": "csm_escalation", "business_domain": domain,
            "csm": {"name": "Clara Holm", "email": "clara@desk.example.com"},
            "customer_tier": "enterprise", "revenue_at_stake": 120_000,
            "description": "Client sees a wave of fake 1-star reviews."}
    body.update(over)
    return body


def executive(domain: str = "shop.example.com", **over: Any) -> dict[str, Any]:
    body = {"kind": "executive_escalation", "business_domain": domain,
            "executive": {"name": "Erik Boss", "organisation": "Shop Inc."},
            "executive_title": "CEO", "business_impact": "Contract renewal at risk.",
            "description": "CEO asks for a review of a defamatory review."}
    body.update(over)
    return body


def legal(**over: Any) -> dict[str, Any]:
    body = {"kind": "legal_notice", "sender_type": "law_firm",
            "sender": {"name": "Jane Counsel", "email": "jane@lawfirm.example.com",
                       "organisation": "Counsel & Co"},
            "jurisdiction": "DE", "notice_type": "defamation",
            "legal_basis": "§ 186 StGB (üble Nachrede)",
            "explanation": "The review states false facts about our client.",
            "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "urls": ["https://reviews.example.com/reviews/r77"], "good_faith_statement": True}
    body.update(over)
    return body


def trusted_flagger(name: str = "Consumer Watch Europe", **over: Any) -> dict[str, Any]:
    body = {"kind": "trusted_flagger_notice", "trusted_flagger": name,
            "contact": {"name": "Tara Flagger", "email": "tara@cwe.example.org"},
            "reviews": [{"ref": "r5"}], "category": "fake",
            "explanation": "Part of a paid review campaign we documented.",
            "good_faith_statement": True}
    body.update(over)
    return body


def investigation(**over: Any) -> dict[str, Any]:
    body = {"kind": "investigation", "title": "Review ring around shop.example.com",
            "description": "Twelve 5-star reviews from new accounts in 48 hours.",
            "business_domains": ["shop.example.com"], "reviews": [{"ref": "r9"}],
            "reviewer_refs": ["u9"]}
    body.update(over)
    return body


def appeal(contested: str, **over: Any) -> dict[str, Any]:
    """The window runs from the desk's own record of when the person was informed: an appeal
    carries no date of its own."""
    body = {"kind": "appeal", "contested_case": contested, "appellant_type": "reviewer",
            "appellant": {"name": "Rob Reviewer", "email": "rob@mail.example.com"},
            "grounds": "My review is genuine; I have the receipt."}
    body.update(over)
    return body
