"""The demo's SOPs: one playbook per case kind, worded as a content-integrity team writes them.

Each is (kind, title, Markdown body, [(key, text, help text, required)]). The demo publishes
them a month before its first case, so every demo case walks version 1.
"""

from __future__ import annotations

Item = tuple[str, str, str | None, bool]

SOPS: list[tuple[str, str, str, list[Item]]] = [
    ("flag", "Flagged review: is it a genuine experience?", """\
A review reported by a consumer, a business or a detector. Most flags are tier 1 and high
volume: work them in order of the queue, and escalate what needs a specialist.

## Steps
1. Read the review and the report side by side.
2. Look at the reviewer: account age, country, other reviews.
3. Look for the pattern: the same wording, timing or IP range across reviews of the business.
4. Decide under the guideline that fits; cite it.

Escalate to a specialist when the business disputes the evidence or the review names a person.
""", [
        ("reviewer-history", "Checked the reviewer's other reviews for the same pattern",
         "Open the reviewer's profile: same phrasing, same day, same business group?", True),
        ("report-read", "Read the report against the review text",
         "What exactly does the notifier say is wrong, and does the text show it?", True),
        ("order-evidence", "Compared the review with the business's order records, if sent",
         "A missing order is a signal, not proof: walk-in customers leave no order.", False),
        ("translated", "Translated the review if it is not in a language you read",
         None, False),
    ]),
    ("csm_escalation", "CSM escalation: a business customer's complaint", """\
Raised by a Customer Success Manager for a business customer. Revenue is at stake, but the
guidelines apply to every business alike: never promise an outcome.

## Steps
1. Confirm what the business asks and which reviews it concerns.
2. Work each review as a flag would be worked.
3. Answer the CSM with the outcome and the guideline cited, in words they can forward.
""", [
        ("scope-confirmed", "Confirmed with the CSM which reviews and what outcome is asked",
         "List the review references in a comment on the case.", True),
        ("guideline-applied", "Applied the guidelines as for any business (no favour for the plan)",
         None, True),
        ("csm-briefed", "Briefed the CSM on the outcome and the guideline cited",
         "Use the CSM reply template; no internal notes.", False),
    ]),
    ("executive_escalation", "Executive escalation", """\
Raised by or for an executive (a client's CEO, our leadership, the press). Handled by a
specialist, with a manager informed before the decision.

## Steps
1. Establish the facts before any reply.
2. Inform the escalations manager.
3. Decide on the guidelines alone; write the reasoning so it can be read outside the team.
""", [
        ("facts-established", "Established the facts from the reviews and their history", None,
         True),
        ("manager-informed", "Informed the escalations manager before deciding",
         "A comment naming the manager, or the manager's own comment.", True),
        ("comms-checked", "Checked whether press or communications need a heads-up", None,
         False),
    ]),
    ("appeal", "Appeal (internal complaint, DSA Art. 20)", """\
A reviewer, a business or a notifier contests a decision. Decided by someone other than the
original decider, never by automation alone.

## Steps
1. Read the contested decision, its statement of reasons and the appellant's arguments.
2. Look at what is new since the decision.
3. Uphold, overturn or partly overturn; say why in words the appellant understands.
""", [
        ("statement-read", "Read the appellant's statement and any new evidence", None, True),
        ("original-reviewed", "Reviewed the contested decision and its statement of reasons",
         None, True),
        ("not-original-decider", "Confirmed you did not take or approve the contested decision",
         "The desk refuses it too; a manager overriding records a reason.", True),
        ("reply-plain", "Wrote the outcome in plain words for the appellant", None, False),
    ]),
    ("legal_notice", "Legal notice", """\
Letters from law firms, authorities and courts: defamation, IP, data-protection erasure,
law-enforcement requests. Each has a legal deadline; legal counsel owns the answer.

## Steps
1. Confirm receipt (DSA Art. 16) and record the legal deadline.
2. Identify the content and the legal ground invoked.
3. Consider a legal hold before anything is removed or erased.
4. Decide; for illegal content state the legal ground.
""", [
        ("receipt-confirmed", "Confirmed receipt to the sender", None, True),
        ("deadline-recorded", "Recorded the legal deadline on the case", None, True),
        ("legal-ground", "Legal ground stated for illegal content",
         "Name the law and the provision; \"illegal\" alone does not do.", True),
        ("hold-considered", "Considered a legal hold on the content and the accounts", None,
         False),
    ]),
    ("trusted_flagger_notice", "Trusted flagger notice (DSA Art. 22)", """\
From an entity awarded trusted-flagger status: handled with priority, and the flagger's
accuracy is tracked.

## Steps
1. Check the flagger's status is current.
2. Work the notice as a flag, first in line.
3. Record whether the notice was accurate.
""", [
        ("status-checked", "Checked the trusted flagger's status is current", None, True),
        ("notice-assessed", "Assessed each item of the notice against the guidelines", None,
         True),
        ("accuracy-noted", "Noted whether the notice was accurate, for the flagger's record",
         None, False),
    ]),
    ("investigation", "Own-initiative investigation", """\
An inquiry into a fake-review campaign or harmful content spanning many reviews, reviewers
and businesses.

## Steps
1. Scope the campaign: reviews, reviewers, businesses, time window.
2. Collect the signals that tie them together.
3. Decide per subject; keep the evidence on the case.
""", [
        ("scope-defined", "Defined the scope: reviews, reviewers, businesses and time window",
         None, True),
        ("signals-linked", "Linked the signals that tie the accounts together",
         "Shared devices, IP ranges, wording, timing, payment traces.", True),
        ("evidence-kept", "Kept the evidence on the case (comments or attachments)", None,
         False),
        ("policy-flagged", "Raised a policy question if the guidelines did not fit", None,
         False),
    ]),
]
