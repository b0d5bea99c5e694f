"""The Art. 17 message carries every element of Art. 17(3) in every language it is written in."""

from __future__ import annotations

from datetime import date

import pytest

from integrity_desk.dsa import schema as s
from integrity_desk.dsa.message import (
    MessageContext,
    appeal_deadline,
    available_languages,
    render_message,
    template_language,
)
from tests.dsa.support import facts

CONTEXT = MessageContext(item="REVIEW-OF-SHOP-X", informed_on=date(2026, 11, 25),
                         appeal_url="https://reviews.example.com/appeals/new?d=812",
                         guideline_version="7.2", recipient_name="Jane Doe")

# Per language: (own initiative, notice, notifier not disclosed, detected automatically, not
# detected, decided by a person, decided automatically, contractual ground, legal ground,
# internal complaint, out-of-court, courts, indefinite, EEA) as the reader sees them.
PHRASES = {
    "en": ["own initiative", "on a notice", "do not disclose", "was detected by automated",
           "was not detected", "taken by a person", "taken by automated means",
           "Contractual ground", "Legal ground", "Internal complaint",
           "Out-of-court dispute settlement", "court", "indefinite period",
           "European Economic Area", "6 months", "25 May 2027", "24 December 2026"],
    "de": ["eigener Initiative", "auf eine Meldung", "geben wir nicht bekannt",
           "mit automatisierten Mitteln erkannt", "nicht mit automatisierten",
           "von einem Menschen getroffen", "mit automatisierten Mitteln getroffen",
           "Vertragliche Grundlage", "Rechtsgrundlage", "Interne Beschwerde",
           "Außergerichtliche Streitbeilegung", "Gericht", "unbestimmte Zeit",
           "Europäischen Wirtschaftsraums", "6 Monate", "25.05.2027", "24.12.2026"],
    "fr": ["propre initiative", "la suite d'un signalement", "ne divulguons pas",
           "a été détecté par des moyens automatisés", "n'a pas été détecté",
           "prise par une personne", "prise par des moyens automatisés", "Motif contractuel",
           "Motif juridique", "Réclamation interne", "Règlement extrajudiciaire", "juridiction",
           "durée indéterminée", "Espace économique européen", "6 mois", "25/05/2027",
           "24/12/2026"],
}


def _bodies(lang: str) -> dict[str, str]:
    """The variants that between them show every branch of the template."""
    person = facts(visibility_end=None, account="DECISION_ACCOUNT_SUSPENDED",
                   account_end=date(2026, 12, 24), source_type=s.SOURCE_ARTICLE_16)
    machine = facts(source_type=s.SOURCE_VOLUNTARY, automated_detection=True,
                    automated_decision=s.AUTOMATED_FULLY, decision_ground=s.GROUND_ILLEGAL,
                    ground="§ 186 StGB", explanation="EXPLANATION-ILLEGAL",
                    ground_reference_url="https://www.gesetze-im-internet.de/stgb/__186.html")
    return {name: render_message(f, CONTEXT, language=lang).body
            for name, f in (("person", person), ("machine", machine))}


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_every_art_17_3_element_appears(lang):
    bodies = _bodies(lang)
    both = "\n".join(bodies.values())
    for phrase in PHRASES[lang]:
        assert phrase in both, (lang, phrase)
    person, machine = bodies["person"], bodies["machine"]
    # (a) the measure, its scope and duration
    assert "REVIEW-OF-SHOP-X" in person
    # (b) the facts, without the other people's contact details
    assert "admitted" in person and "jane@example.com" not in person and "[e-mail]" in person
    # (d)/(e) the ground: guideline, section and version, or the law; and the explanation
    assert "Guidelines for Reviewers, section 4 'Fake reviews', version 7" in person
    assert "7.2" in person and "not based on a genuine" in person
    assert "§ 186 StGB" in machine and "EXPLANATION-ILLEGAL" in machine
    assert "https://www.gesetze-im-internet.de/stgb/__186.html" in machine
    # (f) redress: the appeal link and its window
    assert CONTEXT.appeal_url in person and "digital-strategy.ec.europa.eu" in person


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_a_trusted_flagger_and_a_disclosed_notifier(lang):
    ctx = MessageContext(item="X", informed_on=date(2026, 1, 1), appeal_url="https://a.example",
                         notifier_identity="NOTIFIER-ORG")
    body = render_message(facts(source_type=s.SOURCE_TRUSTED_FLAGGER,
                                territorial_scope=["DE", "AT"]), ctx, language=lang).body
    assert "NOTIFIER-ORG" in body and "22" in body and "AT, DE" in body


def test_languages_fall_back_to_english():
    assert {"en", "de", "fr"} <= set(available_languages())
    assert template_language("de-AT") == "de"
    assert template_language("PL") == "en"
    assert template_language(None) == "en"
    message = render_message(facts(), CONTEXT, language="pl")
    assert message.language == "en" and message.subject == "Our decision about REVIEW-OF-SHOP-X"


def test_the_appeal_window_is_six_calendar_months():
    assert appeal_deadline(date(2026, 11, 25)) == date(2027, 5, 25)
    assert appeal_deadline(date(2026, 8, 31)) == date(2027, 2, 28)
    assert appeal_deadline(date(2027, 8, 31)) == date(2028, 2, 29)
