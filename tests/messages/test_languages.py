"""Letters in one language (issue 17, item 8): every message kind, rendered in English, German
and French through every branch its template has, is written in the language asked for, and a
German or French letter holds no English word that only the English templates and phrase
tables use. The list of those words is built from the sources, so a new English phrase
without a translation is caught without anyone updating the test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.decisions.domain import RULES, ActionKind
from integrity_desk.decisions.models import Guideline
from integrity_desk.decisions.statements import _item
from integrity_desk.dsa import message as dsa_message
from integrity_desk.dsa import schema as s
from integrity_desk.dsa.message import MessageContext, available_languages, render_message
from integrity_desk.messages import phrases
from integrity_desk.messages.domain import TEMPLATES, MessageKind, render
from tests import factories as f
from tests.conftest import Person
from tests.decisions.test_decisions_api import _decide
from tests.dsa.support import facts

API = "/api/v1"
LANGUAGES = ("en", "de", "fr")
FOREIGN = ("de", "fr")
ART17 = Path(dsa_message.__file__).with_name("templates") / "art17"
APPEAL_URL = "https://reviews.example.com/appeal?t=tok3n"

# Placeholder values: codes and names no language's words could be confused with, so what is
# left of a letter once they are taken out is the template's and the phrase tables' own text.
NAME, LAW, TITLE = "Jana Nowak", "§ 186 StGB", "T-0042"
FREE = {"facts": "F-0001", "ground": "G-0002", "explanation": "E-0003"}


# -- the English-only words, from the sources ------------------------------------------------

def _template_text(source: str) -> str:
    """A template's words: its literal text and the phrases in its ``{% %}`` tags (the Art. 17
    labels), without expressions, comments or code names."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}", " ", source, flags=re.S)
    return re.sub(r"\{%.*?%\}", lambda m: " {} ".format(" ".join(
        lit for lit in re.findall(r'"([^"]*)"', m.group(0)) if " " in lit)), source, flags=re.S)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text) if len(w) >= 4}


def _sources(lang: str) -> str:
    templates = [*sorted(TEMPLATES.glob(f"*.{lang}.txt")), ART17 / f"{lang}.txt.j2"]
    texts = [_template_text(p.read_text(encoding="utf-8")) for p in templates]
    texts += [p[lang] for p in phrases.PHRASES.values() if lang in p]
    texts += ([rule.label for rule in RULES.values()] if lang == "en"
              else [names[lang] for names in phrases.ACTIONS.values() if lang in names])
    return "\n".join(texts)


def _placeholders(text: str) -> str:
    return re.sub(r"\{[a-z_]+\}", " ", text)


ENGLISH_WORDS = _words(_placeholders(_sources("en")))
FOREIGN_WORDS = _words(_placeholders(_sources("de") + _sources("fr")))
ENGLISH_ONLY = sorted(ENGLISH_WORDS - FOREIGN_WORDS)
# English words the German or French texts use too: names and words the languages share.
# Reviewed by hand; an English word slipped into a German or French template would otherwise
# leave the English-only list unnoticed, so it has to show up here.
SHARED = {"article", "commission", "conditions", "confirmation", "desk", "incompatible",
          "initiative", "integrity", "liechtenstein", "machine", "message", "part", "person",
          "photo", "place", "restriction", "safety", "service", "services", "subject", "trust",
          "union", "version"}


def _english_in(text: str, *values: str) -> list[str]:
    """English-only words left in ``text`` once URLs and the given placeholder values go."""
    text = re.sub(r"https?://\S+", " ", text)
    for value in values:
        text = text.replace(value, " ")
    return [w for w in ENGLISH_ONLY if re.search(rf"(?<![^\W\d_]){w}(?![^\W\d_])", text, re.I)]


def test_the_english_only_list_is_real() -> None:
    """Guards the guard: the list holds the desk's English, and not words all languages use."""
    for word in ("your", "review", "posted", "decision", "took", "action", "upheld", "lifted",
                 "automated", "guidelines", "complaint", "dear", "remove", "measures"):
        assert word in ENGLISH_ONLY, word
    assert ENGLISH_WORDS & FOREIGN_WORDS == SHARED


# -- every kind, every branch ----------------------------------------------------------------

def _receipts() -> Iterator[dict[str, Any]]:
    for kind in ("flag", "legal_notice", "trusted_flagger_notice", "appeal"):
        for name in (NAME, None, phrases.NO_NAME):
            yield {"case_key": "LEG-7", "name": name, "kind": kind,
                   "received_at": datetime(2026, 5, 3, 14, 5, tzinfo=UTC)}


def _decision_notices() -> Iterator[dict[str, Any]]:
    every_action = [k.value for k in ActionKind]
    for outcome, measures in (("action", every_action), ("action", ["remove_review"]),
                              ("no_action", [])):
        for ground, guideline in (("illegal_content", None),
                                  ("guideline", {"title": TITLE, "version": 3}),
                                  ("terms", None)):
            for automation in ("not_automated", "partially", "fully"):
                yield {"case_key": "FLG-12", "name": NAME if measures else None,
                       "received_at": datetime(2026, 5, 3, 14, 5, tzinfo=UTC),
                       "outcome": outcome, "measures": measures, "ground": ground,
                       "law": LAW, "guideline": guideline, "explanation": FREE["explanation"],
                       "automation": automation, "appeal_link": APPEAL_URL}


def _appeal_outcomes() -> Iterator[dict[str, Any]]:
    for outcome in ("upheld", "overturned", "partly_overturned"):
        for reversed_count in (0, 1, 3):
            yield {"case_key": "APL-3", "name": NAME, "contested_key": "FLG-12",
                   "outcome": outcome, "reasoning": FREE["explanation"],
                   "reversed": reversed_count}


def _documentation_requests() -> Iterator[dict[str, Any]]:
    for name in (NAME, None):
        yield {"case_key": "FLG-12", "name": name, "item": "I-0007",
               "due": datetime(2026, 5, 10, 14, 5, tzinfo=UTC)}


def _replies() -> Iterator[dict[str, Any]]:
    for name in (NAME, None):
        yield {"case_key": "CSM-4", "name": name, "text": FREE["explanation"],
               "sender": "S-0008"}


CONTEXTS = {MessageKind.RECEIPT: _receipts, MessageKind.DECISION_NOTICE: _decision_notices,
            MessageKind.APPEAL_OUTCOME: _appeal_outcomes,
            MessageKind.DOCUMENTATION_REQUEST: _documentation_requests,
            MessageKind.REPLY: _replies}

SUBJECTS = [
    ("review", SimpleNamespace(ref="r1", language=None,
                               published_at=datetime(2026, 5, 3, 22, 30, tzinfo=UTC))),
    ("review", SimpleNamespace(ref="r2", language=None, published_at=None)),
    ("reviewer", SimpleNamespace(ref="u1")),
    ("business", SimpleNamespace(domain="shop.example.com")),
]


def _statement_facts() -> Iterator[Any]:
    """Every measure label, every source, automation and ground of the Art. 17 template."""
    for value in sorted(s.ENUMS["decision_visibility"]):
        yield facts(**FREE, visibility=[value], visibility_other="V-0004",
                    visibility_end=date(2026, 12, 24))
    for field in ("monetary", "provision", "account"):
        for value in sorted(s.ENUMS[f"decision_{field}"]):
            yield facts(**FREE, visibility=[], **{field: value}, monetary_other="M-0005")
    for source in sorted(s.ENUMS["source_type"]):
        for automated in sorted(s.ENUMS["automated_decision"]):
            yield facts(**FREE, source_type=source, automated_decision=automated,
                        automated_detection=automated != s.AUTOMATED_NOT)
    yield facts(**FREE, decision_ground=s.GROUND_ILLEGAL, incompatible_content_illegal=None,
                ground_reference_url="https://www.gesetze-im-internet.de/stgb/__186.html",
                territorial_scope=["DE", "AT"])
    yield facts(**FREE, territorial_scope=sorted(s.EU))


def _letters(kind: MessageKind, lang: str) -> Iterator[tuple[str, str, str]]:
    """(language used, subject, body) for every branch of the kind's template."""
    if kind == MessageKind.STATEMENT_OF_REASONS:
        for subject_kind, subject in SUBJECTS:
            _, item, _ = _item(subject_kind, subject, lang)
            for notifier in (None, "N-0006"):
                context = MessageContext(item=item, informed_on=date(2026, 11, 25),
                                         appeal_url=APPEAL_URL, guideline_version="7.2",
                                         notifier_identity=notifier, recipient_name=NAME)
                for each in _statement_facts():
                    m = render_message(each, context, language=lang)
                    yield m.language, m.subject, m.body
        return
    for context in CONTEXTS[kind]():
        subject, body, used = render(kind, lang, context)
        yield used, subject, body


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_message_kind_is_written_in_the_language_asked_for(kind: MessageKind,
                                                                 lang: str) -> None:
    count = 0
    for used, subject, body in _letters(kind, lang):
        count += 1
        assert used == lang, (kind, lang, used)
        if lang in FOREIGN:
            found = _english_in(f"{subject}\n{body}", NAME, LAW, TITLE, *FREE.values(),
                                "shop.example.com", "Reviews", "I-0007", "S-0008")
            assert found == [], (kind, lang, found, subject, body)
    assert count > 1


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["your review r1, posted on 3 May 2026", "your review r2",
            "your reviewer account", "your business profile shop.example.com"]),
    ("de", ["Ihre Bewertung r1 vom 03.05.2026", "Ihre Bewertung r2",
            "Ihr Konto für Bewertungen", "Ihr Unternehmensprofil shop.example.com"]),
    ("fr", ["votre avis r1, publié le 03/05/2026", "votre avis r2",
            "votre compte de contributeur", "votre profil d'entreprise shop.example.com"]),
])
def test_the_restricted_item_is_named_in_the_letters_language(lang: str,
                                                              expected: list[str]) -> None:
    assert [_item(kind, subject, lang)[1] for kind, subject in SUBJECTS] == expected
    # The content's own language wins over the case's, as the letter's language does.
    review = SimpleNamespace(ref="r9", language="de", published_at=None)
    assert _item("review", review, "fr") == ("review:r9", "Ihre Bewertung r9", "de")


def test_dates_and_counts_are_said_as_each_language_says_them() -> None:
    notice = next(_decision_notices())
    assert "3 May 2026, 14:05" in render(MessageKind.DECISION_NOTICE, "en", notice)[1]
    assert "03.05.2026, 14:05" in render(MessageKind.DECISION_NOTICE, "de", notice)[1]
    assert "03/05/2026, 14:05" in render(MessageKind.DECISION_NOTICE, "fr", notice)[1]
    lifted = {"case_key": "APL-3", "name": None, "contested_key": "FLG-1",
              "outcome": "partly_overturned", "reasoning": "E", "reversed": 3}
    assert "3 Maßnahmen aufgehoben" in render(MessageKind.APPEAL_OUTCOME, "de", lifted)[1]
    assert "1 mesure levée" in render(MessageKind.APPEAL_OUTCOME, "fr",
                                      {**lifted, "reversed": 1})[1]
    _, body, _ = render(MessageKind.RECEIPT, "de", next(_receipts()) | {"name": None})
    assert body.startswith("Sehr geehrte Damen und Herren,")


# -- a missing translation fails -------------------------------------------------------------

def test_every_phrase_action_and_template_exists_in_every_language() -> None:
    for key, texts in phrases.PHRASES.items():
        assert sorted(texts) == sorted(LANGUAGES), key
        fields = {re.findall(r"\{(\w+)\}", text).__str__() for text in texts.values()}
        assert len(fields) == 1, (key, texts)  # every language fills the same placeholders
    assert set(phrases.ACTIONS) == set(ActionKind)
    for kind, names in phrases.ACTIONS.items():
        assert sorted(names) == sorted(FOREIGN), kind
    for kind in CONTEXTS:
        for lang in LANGUAGES:
            assert (TEMPLATES / f"{kind.value}.{lang}.txt").is_file(), (kind, lang)
    assert set(LANGUAGES) <= set(available_languages())


def test_a_phrase_without_its_translation_breaks_the_letter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No quiet fallback to English: a German letter needing a phrase that has no German
    text is not written at all, so the render-everything test above fails."""
    monkeypatch.setitem(phrases.PHRASES, "outcome.action", {"en": "we took action"})
    notice = next(_decision_notices())
    assert "we took action" in render(MessageKind.DECISION_NOTICE, "en", notice)[1]
    with pytest.raises(KeyError, match=re.escape("no 'de' text for the phrase 'outcome.action'")):
        render(MessageKind.DECISION_NOTICE, "de", notice)
    monkeypatch.undo()
    monkeypatch.delitem(phrases.ACTIONS[ActionKind.LABEL_REVIEW], "fr")
    with pytest.raises(KeyError, match=re.escape("no 'fr' name for the action 'label_review'")):
        render(MessageKind.DECISION_NOTICE, "fr", notice)


def test_an_english_phrase_left_in_a_german_letter_is_found() -> None:
    notice = next(_decision_notices())
    _, body, _ = render(MessageKind.DECISION_NOTICE, "de", notice)
    assert _english_in(body) == []
    assert _english_in(body + "\nwe took action") == ["action", "took"]


# -- one real flow -----------------------------------------------------------------------------

def test_a_german_flag_decided_with_a_removal_gets_german_letters(
        client: TestClient, db: Database, specialist: Person) -> None:
    body = f.flag("r-de", language="de", reason="Nie Kunde gewesen.")
    body["review"] |= {"language": "de", "text": "Super!!!",
                       "published_at": "2026-05-03T10:00:00Z"}
    r = client.post(f"{API}/cases", json=body, headers=specialist.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).status_code == 200
    d = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r-de"}],
                explanation="Der Text entspricht einer bekannten Vorlage.",
                facts="Vom Unternehmen gemeldet; keine Bestellung gefunden.")
    assert d.status_code == 201, d.text
    r = client.get(f"{API}/cases/{key}/messages", headers=specialist.headers)
    letters = {m["kind"]: m for m in r.json()}
    sor, notice = letters["statement_of_reasons"], letters["decision_notice"]
    assert (sor["language"], notice["language"]) == ("de", "de")
    assert sor["subject"] == "Unsere Entscheidung über Ihre Bewertung r-de vom 03.05.2026"
    assert "Der Inhalt wurde entfernt" in sor["body"]
    assert notice["subject"] == f"Unsere Entscheidung zu Ihrer Meldung ({key})"
    for phrase in ("Guten Tag Shop Owner,", "Entscheidung: Wir haben Maßnahmen ergriffen",
                   "  - die Bewertung entfernen", "Grundlage: unsere Richtlinien, „",
                   "Automatisierte Mittel: keine: Menschen haben entschieden"):
        assert phrase in notice["body"], phrase
    with db.session() as session:
        titles = list(session.scalars(select(Guideline.title).where(Guideline.code == "fake")))
    for letter in (sor, notice):
        found = _english_in(f"{letter['subject']}\n{letter['body']}", *titles,
                            "Shop Owner", "Reviews", "shop.example.com")
        assert found == [], (letter["kind"], found, letter["body"])
