"""The words a letter fills into its template, per language: outcomes, grounds, automation,
action names, the greeting, and how the Art. 17 letter names what was restricted.

Callers pass codes (``"action"``, ``"partially"``, an ``ActionKind`` value); the template says
them in its own language through :func:`phrase`. A phrase is never looked up in another
language than the letter's: a missing translation raises instead of slipping an English
phrase into a German or French letter. English action names are the decision rules' own
labels (``decisions/domain.py``), so the desk and the notifier read the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from integrity_desk.decisions.domain import RULES, ActionKind
from integrity_desk.dsa.message import format_day

LANGUAGES = ("en", "de", "fr")

# An English placeholder older outbox rows and callers may still carry for "no name": it
# counts as none, so each language greets in its own way.
NO_NAME = "Sir or Madam"

PHRASES: dict[str, dict[str, str]] = {
    "greeting.named": {"en": "Dear {name},", "de": "Guten Tag {name},",
                       "fr": "Bonjour {name},"},
    "greeting.anonymous": {"en": "Dear Sir or Madam,", "de": "Sehr geehrte Damen und Herren,",
                           "fr": "Madame, Monsieur,"},
    # Art. 16(5): the decision on a notice.
    "outcome.action": {"en": "we took action", "de": "Wir haben Maßnahmen ergriffen",
                       "fr": "nous avons pris des mesures"},
    "outcome.no_action": {"en": "we took no action", "de": "Wir haben keine Maßnahmen ergriffen",
                          "fr": "nous n'avons pris aucune mesure"},
    "ground.illegal_content": {"en": "illegal content under {law}",
                               "de": "rechtswidriger Inhalt nach {law}",
                               "fr": "contenu illicite au regard de {law}"},
    "ground.guideline": {"en": "our guidelines, '{title}' (version {version})",
                         "de": "unsere Richtlinien, „{title}“ (Fassung {version})",
                         "fr": "nos règles, « {title} » (version {version})"},
    "ground.terms": {"en": "our guidelines", "de": "unsere Richtlinien", "fr": "nos règles"},
    "automation.not_automated": {
        "en": "none: people decided",
        "de": "keine: Menschen haben entschieden",
        "fr": "aucun : des personnes ont décidé"},
    "automation.partially": {
        "en": "automated means helped; a person decided",
        "de": "automatisierte Mittel haben geholfen; entschieden hat ein Mensch",
        "fr": "des moyens automatisés ont aidé ; une personne a décidé"},
    "automation.fully": {
        "en": "the decision was taken by automated means",
        "de": "die Entscheidung wurde mit automatisierten Mitteln getroffen",
        "fr": "la décision a été prise par des moyens automatisés"},
    # Art. 20(4)-(5): the outcome of a complaint.
    "appeal.upheld": {"en": "we upheld our decision",
                      "de": "Wir halten an unserer Entscheidung fest",
                      "fr": "nous maintenons notre décision"},
    "appeal.overturned": {"en": "we reversed our decision",
                          "de": "Wir haben unsere Entscheidung aufgehoben",
                          "fr": "nous avons annulé notre décision"},
    "appeal.partly_overturned": {"en": "we reversed part of our decision",
                                 "de": "Wir haben unsere Entscheidung teilweise aufgehoben",
                                 "fr": "nous avons annulé une partie de notre décision"},
    "reversed.one": {"en": "1 measure lifted", "de": "1 Maßnahme aufgehoben",
                     "fr": "1 mesure levée"},
    "reversed.other": {"en": "{count} measures lifted", "de": "{count} Maßnahmen aufgehoben",
                       "fr": "{count} mesures levées"},
    # Art. 16(4), Art. 20: what a receipt confirms (German: the dative/genitive form).
    "receipt.legal_notice": {"en": "your legal notice", "de": "Ihrer rechtlichen Mitteilung",
                             "fr": "votre notification juridique"},
    "receipt.notice": {"en": "your notice", "de": "Ihrer Meldung", "fr": "votre notification"},
    "receipt.appeal": {"en": "your complaint", "de": "Ihrer Beschwerde",
                       "fr": "votre réclamation"},
    # Art. 17: what was restricted, in the person's terms.
    "item.review": {"en": "your review {ref}", "de": "Ihre Bewertung {ref}",
                    "fr": "votre avis {ref}"},
    "item.review.posted": {"en": "your review {ref}, posted on {day}",
                           "de": "Ihre Bewertung {ref} vom {day}",
                           "fr": "votre avis {ref}, publié le {day}"},
    "item.reviewer": {"en": "your reviewer account", "de": "Ihr Konto für Bewertungen",
                      "fr": "votre compte de contributeur"},
    "item.business": {"en": "your business profile {domain}",
                      "de": "Ihr Unternehmensprofil {domain}",
                      "fr": "votre profil d'entreprise {domain}"},
}

# The decision rules' actions as the notifier reads them; English comes from RULES.
ACTIONS: dict[str, dict[str, str]] = {
    ActionKind.REMOVE_REVIEW: {"de": "die Bewertung entfernen", "fr": "retirer l'avis"},
    ActionKind.RESTORE_REVIEW: {"de": "die Bewertung wiederherstellen",
                                "fr": "rétablir l'avis"},
    ActionKind.KEEP: {"de": "die Bewertung unverändert lassen (keine Maßnahme)",
                      "fr": "laisser l'avis tel quel (aucune mesure)"},
    ActionKind.HIDE_PENDING_INVESTIGATION: {
        "de": "die Bewertung bis zum Abschluss der Prüfung ausblenden",
        "fr": "masquer l'avis jusqu'à la fin de l'enquête"},
    ActionKind.REQUEST_DOCUMENTATION: {
        "de": "die Verfasserin oder den Verfasser um Belege für die Erfahrung bitten",
        "fr": "demander à l'auteur de l'avis des justificatifs de son expérience"},
    ActionKind.LABEL_REVIEW: {"de": "die Bewertung kennzeichnen",
                              "fr": "ajouter une mention à l'avis"},
    ActionKind.WARN_REVIEWER: {"de": "die Verfasserin oder den Verfasser verwarnen",
                               "fr": "adresser un avertissement à l'auteur de l'avis"},
    ActionKind.SUSPEND_REVIEWER: {"de": "das Konto der Verfasserin oder des Verfassers sperren",
                                  "fr": "suspendre le compte de l'auteur de l'avis"},
    ActionKind.WARN_BUSINESS: {"de": "das Unternehmen verwarnen",
                               "fr": "adresser un avertissement à l'entreprise"},
    ActionKind.CONSUMER_WARNING: {
        "de": "einen Warnhinweis für Verbraucher auf dem Unternehmensprofil anbringen",
        "fr": "afficher un avertissement aux consommateurs sur le profil de l'entreprise"},
    ActionKind.RESTRICT_BUSINESS_FEATURES: {
        "de": "die Funktionen des Unternehmens einschränken",
        "fr": "restreindre les fonctionnalités de l'entreprise"},
    ActionKind.END_BUSINESS_FEATURES: {"de": "die Funktionen des Unternehmens beenden",
                                       "fr": "mettre fin aux fonctionnalités de l'entreprise"},
}

def phrase(key: str, lang: str, **values: Any) -> str:
    """The phrase in ``lang`` with its placeholders filled; KeyError when it lacks ``lang``."""
    try:
        text = PHRASES[key][lang]
    except KeyError:
        raise KeyError(f"no {lang!r} text for the phrase {key!r}") from None
    return text.format(**values)


def action(kind: str, lang: str) -> str:
    """An action's name: the rule's own label in English, else its translation."""
    if lang == "en":
        return RULES[ActionKind(kind)].label
    try:
        return ACTIONS[ActionKind(kind)][lang]
    except KeyError:
        raise KeyError(f"no {lang!r} name for the action {kind!r}") from None


def greeting(name: str | None, lang: str) -> str:
    if not name or name == NO_NAME:
        return phrase("greeting.anonymous", lang)
    return phrase("greeting.named", lang, name=name)


def moment(value: datetime | date | str, lang: str) -> str:
    """A date (and time, when it has one) written as the language writes it (a string is
    taken as written)."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC)  # the letters say "(UTC)" after the time
    day = format_day(value, lang)
    return f"{day}, {value:%H:%M}" if isinstance(value, datetime) else day


def helpers(lang: str) -> dict[str, Callable[..., str]]:
    """What every template gets, bound to its language."""
    return {"t": lambda key, **values: phrase(key, lang, **values),
            "action": lambda kind: action(kind, lang),
            "greeting": lambda name: greeting(name, lang),
            "moment": lambda value: moment(value, lang)}
