"""The guideline sections a review platform starts with, mapped onto the DSA's categories.

Added by ``idesk migrate`` where a code is absent; from then on managers edit them (each edit a
new version). The mapping follows the Commission's category and keyword lists (see
docs/dsa.md); the ladders are the usual first-offence-to-repeat steps.
"""

from __future__ import annotations

from typing import Any

_FAKE_LADDER = [
    {"offence": 1, "action": "warn_reviewer", "duration_days": None},
    {"offence": 2, "action": "suspend_reviewer", "duration_days": 30},
    {"offence": 3, "action": "suspend_reviewer", "duration_days": 365},
]
_BUSINESS_LADDER = [
    {"offence": 1, "action": "warn_business", "duration_days": None},
    {"offence": 2, "action": "consumer_warning", "duration_days": 90},
    {"offence": 3, "action": "restrict_business_features", "duration_days": 180},
]
_ABUSE_LADDER = [
    {"offence": 1, "action": "warn_reviewer", "duration_days": None},
    {"offence": 2, "action": "suspend_reviewer", "duration_days": 90},
]

GUIDELINES: list[dict[str, Any]] = [
    dict(code="fake", title="Reviews must be based on a genuine experience", category="fake",
         text="A review must describe a real buying or service experience of the person who "
              "writes it. Reviews written without such an experience, or on behalf of others, "
              "are removed.",
         dsa_category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
         dsa_keywords=["KEYWORD_INAUTHENTIC_USER_REVIEWS"], default_ground="incompatible_content",
         severity=3, sanctions=_FAKE_LADDER),
    dict(code="conflict_of_interest", title="No reviews of one's own or a competitor's business",
         category="conflict_of_interest",
         text="Owners, employees and their relatives may not review their own business; nobody "
              "may review a competitor to harm it.",
         dsa_category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
         dsa_keywords=["KEYWORD_INAUTHENTIC_USER_REVIEWS"], default_ground="incompatible_content",
         severity=3, sanctions=_FAKE_LADDER),
    dict(code="incentivised", title="No paid or incentivised reviews", category="incentivised",
         text="Reviews given in exchange for money, discounts, gifts or other benefits are not "
              "allowed unless the platform's incentive rules are followed and disclosed.",
         dsa_category="STATEMENT_CATEGORY_CONSUMER_INFORMATION",
         dsa_keywords=["KEYWORD_HIDDEN_ADVERTISEMENT"], default_ground="incompatible_content",
         severity=3, sanctions=_BUSINESS_LADDER),
    dict(code="review_pressure", title="Businesses may not pressure reviewers",
         category="review_pressure",
         text="A business may not threaten, pay or pressure a reviewer to change or delete a "
              "review, nor ask only happy customers to write one.",
         dsa_category="STATEMENT_CATEGORY_CONSUMER_INFORMATION",
         dsa_keywords=["KEYWORD_MISLEADING_INFO_GOODS_SERVICES"],
         default_ground="incompatible_content", severity=3, sanctions=_BUSINESS_LADDER),
    dict(code="harmful_illegal", title="No harmful or illegal content", category="harmful_illegal",
         text="Reviews must not contain hate speech, threats, incitement to violence, or "
              "defamatory statements of fact.",
         dsa_category="STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
         dsa_keywords=["KEYWORD_HATE_SPEECH"], default_ground="illegal_content",
         legal_ground="the criminal law of the member state concerned on hate speech, threats "
                      "and defamation", severity=4, sanctions=_ABUSE_LADDER),
    dict(code="personal_information", title="No personal information",
         category="personal_information",
         text="Reviews must not reveal personal data such as full names of staff, addresses, "
              "phone numbers or e-mail addresses.",
         dsa_category="STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
         dsa_keywords=["KEYWORD_MISSING_PROCESSING_GROUND"], default_ground="incompatible_content",
         severity=2, sanctions=[]),
    dict(code="advertising_spam", title="No advertising or spam", category="advertising_spam",
         text="Reviews must not promote other businesses, products or links, nor repeat "
              "content to game ratings.",
         dsa_category="STATEMENT_CATEGORY_CONSUMER_INFORMATION",
         dsa_keywords=["KEYWORD_HIDDEN_ADVERTISEMENT"], default_ground="incompatible_content",
         severity=2, sanctions=_ABUSE_LADDER),
    dict(code="offensive_language", title="No offensive language", category="offensive_language",
         text="Reviews must not use obscene, vulgar or insulting language.",
         dsa_category="STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
         dsa_keywords=["KEYWORD_LANGUAGE_REQUIREMENTS"], default_ground="incompatible_content",
         severity=2, sanctions=_ABUSE_LADDER),
    dict(code="not_experience", title="Reviews are about a buying or service experience",
         category="not_experience",
         text="Reviews must be about the experience with the business, not about politics, "
              "other people or topics unrelated to it.",
         dsa_category="STATEMENT_CATEGORY_OTHER_VIOLATION_TC", dsa_keywords=["KEYWORD_OTHER"],
         default_ground="incompatible_content", severity=1, sanctions=[]),
    dict(code="duplicate", title="One review per experience", category="duplicate",
         text="A person may review a business once per experience; duplicates are removed.",
         dsa_category="STATEMENT_CATEGORY_OTHER_VIOLATION_TC", dsa_keywords=["KEYWORD_OTHER"],
         default_ground="incompatible_content", severity=1, sanctions=[]),
]
