"""The rule set a fresh desk starts with; managers tune it through the API afterwards."""

from __future__ import annotations

from typing import Any

DEFAULT_RULES: list[dict[str, Any]] = [
    {"name": "kind", "factor": "kind", "params": {"points": {
        "flag": 10, "csm_escalation": 30, "executive_escalation": 50, "appeal": 25,
        "legal_notice": 40, "trusted_flagger_notice": 35, "investigation": 30}}},
    {"name": "requester", "factor": "requester_type", "params": {"points": {
        "court": 30, "authority": 25, "law_firm": 10, "executive": 10}}},
    {"name": "customer-tier", "factor": "customer_tier", "params": {"points": {
        "enterprise": 20, "premium": 12, "standard": 5}}},
    {"name": "revenue", "factor": "revenue_at_stake",
     "params": {"bands": [[250_000, 25], [50_000, 15], [10_000, 8]]}},
    {"name": "legal-deadline", "factor": "legal_deadline",
     "params": {"overdue": 60, "bands_hours": [[24, 50], [72, 30], [168, 15]]}},
    {"name": "harm", "factor": "harm_severity", "params": {"points": {
        "harmful_illegal": 40, "personal_information": 25, "review_pressure": 15,
        "incentivised": 10, "conflict_of_interest": 10, "fake": 10, "offensive_language": 8,
        "advertising_spam": 5}}},
    {"name": "trusted-flagger", "factor": "trusted_flagger", "params": {"points": 30}},
    {"name": "reach", "factor": "business_reach",
     "params": {"bands": [[100_000, 15], [10_000, 8], [1_000, 3]]}},
    # The signals open investigation cases: the stronger the pattern, the sooner it is worked.
    {"name": "fraud-signal", "factor": "fraud_signal",
     "params": {"bands": [[0.9, 30], [0.75, 20], [0.6, 10]]}},
    {"name": "repeat-subject", "factor": "repeat_subject", "params": {"per_case": 5, "max": 20}},
    {"name": "thresholds", "factor": "priority_thresholds",
     "params": {"P0": 90, "P1": 65, "P2": 40, "P3": 20}},
]
