"""The intake fields parser: what a letter says, read from its text (pure, no database).

A letter arrives as prose, not as the fields of a form. This takes what it can — the links,
the jurisdiction, the deadline, the kind of notice, the sender's role, the language, whether
the sender states good faith — and names each element of a DSA Art. 16 notice it could not
find, so the case opens marked "needs completion" instead of the letter being refused.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime

_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)

# Words that name a legal order, by the country whose law they belong to.
_JURISDICTION: list[tuple[str, re.Pattern[str]]] = [
    ("DE", re.compile(r"german law|deutsche[mn]? recht|landgericht|amtsgericht|"
                      r"oberlandesgericht|§\s*\d+\s*[a-z]?\s*(bgb|stgb|urhg|bdsg)\b|\bbgb\b|"
                      r"\bstgb\b|\bdeutschland\b|\bgermany\b", re.I)),
    ("FR", re.compile(r"french law|droit français|tribunal judiciaire|cour d'appel|"
                      r"code civil|loi du 29 juillet 1881|\bfrance\b", re.I)),
    ("AT", re.compile(r"austrian law|österreich|\baustria\b|\babgb\b", re.I)),
    ("GB", re.compile(r"english law|laws of england|high court of justice|defamation act "
                      r"2013|united kingdom", re.I)),
    ("NL", re.compile(r"dutch law|nederlands recht|rechtbank|netherlands", re.I)),
    ("IT", re.compile(r"italian law|diritto italiano|tribunale di|\bitaly\b|\bitalia\b", re.I)),
    ("ES", re.compile(r"spanish law|derecho español|juzgado|\bspain\b|\bespaña\b", re.I)),
]

_NOTICE_TYPE: list[tuple[str, re.Pattern[str]]] = [
    ("defamation", re.compile(r"defamat|libel|slander|verleumdung|üblen? nachrede|"
                              r"beleidigung|diffamation|dénigrement", re.I)),
    ("intellectual_property", re.compile(r"copyright|trademark|urheberrecht|markenrecht|"
                                         r"droit d'auteur|contrefaçon", re.I)),
    ("data_protection_erasure", re.compile(r"gdpr|dsgvo|rgpd|right to erasure|löschung|"
                                           r"droit à l'effacement|data protection", re.I)),
    ("court_order", re.compile(r"court order|injunction|einstweilige verfügung|beschluss|"
                               r"ordonnance|jugement", re.I)),
    ("law_enforcement_data_request", re.compile(r"law enforcement|police|polizei|"
                                                r"staatsanwaltschaft|gendarmerie", re.I)),
]

_SENDER_TYPE: list[tuple[str, re.Pattern[str]]] = [
    ("court", re.compile(r"\bcourt\b|gericht\b|tribunal", re.I)),
    ("authority", re.compile(r"authority|behörde|police|polizei|staatsanwaltschaft|"
                             r"ministry|ministère|autorité|cnil", re.I)),
    ("law_firm", re.compile(r"law firm|solicitor|attorney|lawyer|rechtsanw|kanzlei|"
                            r"avocat|cabinet|llp\b", re.I)),
]

_LEGAL_BASIS = re.compile(
    r"(§\s*\d+\s*[a-z]?\s*(?:abs\.\s*\d+\s*)?(?:BGB|StGB|UrhG|BDSG|MarkenG)|"
    r"Art(?:icle|\.|ikel)?\s*\d+\s*(?:\(\d+\)\s*)?(?:GDPR|DSGVO|RGPD)|"
    r"article\s+\d+[\w-]*\s+(?:du\s+)?code\s+\w+|loi du 29 juillet 1881|defamation act 2013)",
    re.I)

_GOOD_FAITH = re.compile(
    r"good faith|accurate and complete|in gutem glauben|nach bestem wissen|"
    r"richtig und vollständig|de bonne foi|exacte?s? et compl[eè]te?s?", re.I)

_MONTHS = {
    # English, German, French; "mär"/"maerz" and accents folded by the pattern below.
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "januar": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10,
    "dezember": 12, "janvier": 1, "février": 2, "mars": 3, "avril": 4, "juin": 6,
    "juillet": 7, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# A date introduced by a deadline word: "by 15 January 2027", "bis zum 15.01.2027",
# "avant le 15/01/2027", "no later than 2027-01-15", "until January 15, 2027".
_DEADLINE_WORD = (r"(?:by|before|until|no later than|deadline|within|bis\s+(?:zum|spätestens)|"
                  r"bis|spätestens(?:\s+am|\s+zum)?|frist|avant\s+le|au\s+plus\s+tard\s+le|"
                  r"d'ici\s+le)")
_DATE_NUM = re.compile(_DEADLINE_WORD + r"[\s:]*(?:the\s+|den\s+|le\s+)?"
                       r"(\d{1,2})[./](\d{1,2})[./](\d{4})", re.I)
_DATE_ISO = re.compile(_DEADLINE_WORD + r"[\s:]*(\d{4})-(\d{2})-(\d{2})", re.I)
_DATE_DMY = re.compile(_DEADLINE_WORD + r"[\s:]*(?:the\s+|den\s+|le\s+)?(\d{1,2})(?:st|nd|rd|th)?"
                       rf"\.?\s+({_MONTH_NAMES})\s+(\d{{4}})", re.I)
_DATE_MDY = re.compile(_DEADLINE_WORD + rf"[\s:]*({_MONTH_NAMES})\s+(\d{{1,2}}),?\s+(\d{{4}})",
                       re.I)

_STOP_WORDS = {
    "en": {"the", "and", "of", "to", "is", "that", "this", "we", "you", "with", "for", "on",
           "our", "your", "please", "are", "be", "by"},
    "de": {"der", "die", "das", "und", "ist", "nicht", "wir", "sie", "mit", "für", "auf",
           "unser", "ihr", "bitte", "den", "dem", "zu", "von", "ein", "eine"},
    "fr": {"le", "la", "les", "et", "est", "nous", "vous", "avec", "pour", "sur", "une",
           "des", "du", "que", "qui", "dans", "pas", "ce", "au"},
}
_WORD = re.compile(r"[a-zäöüßéèêàçîôû]+", re.I)

# Each element a notice must carry (DSA Art. 16(2)), as the case view names it.
ART16 = {
    "explanation": "an explanation why the content is illegal (DSA Art. 16(2)(a))",
    "urls": "the exact location of the content: its URL (DSA Art. 16(2)(b))",
    "sender": "the sender's name and e-mail address (DSA Art. 16(2)(c))",
    "good_faith_statement": "a statement of good faith that the notice is accurate and "
                            "complete (DSA Art. 16(2)(d))",
}


@dataclass
class LetterFields:
    sender_name: str | None
    sender_email: str | None
    language: str | None
    urls: list[str] = field(default_factory=list)
    jurisdiction: str | None = None
    notice_type: str | None = None
    sender_type: str | None = None
    legal_basis: str | None = None
    deadline: datetime | None = None
    good_faith: bool = False
    explanation: str = ""

    def missing_art16(self) -> list[str]:
        """The Art. 16 elements this letter lacks, by key (see ART16)."""
        missing = []
        if len(self.explanation) < 20:
            missing.append("explanation")
        if not self.urls:
            missing.append("urls")
        if not (self.sender_name and self.sender_email):
            missing.append("sender")
        if not self.good_faith:
            missing.append("good_faith_statement")
        return missing


def _first(table: list[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    """The entry whose words come first in the text (the letter's own emphasis)."""
    best: tuple[int, str] | None = None
    for value, pattern in table:
        found = pattern.search(text)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), value)
    return best[1] if best else None


def language_of(text: str) -> str | None:
    """en, de or fr by a stop-word vote; None when too few words say."""
    counts = dict.fromkeys(_STOP_WORDS, 0)
    for word in _WORD.findall(text.lower()):
        for lang, words in _STOP_WORDS.items():
            if word in words:
                counts[lang] += 1
    lang, votes = max(counts.items(), key=lambda kv: kv[1])
    return lang if votes >= 3 else None


def deadline_in(text: str) -> datetime | None:
    """The earliest date a deadline word introduces, as the end of that day (UTC)."""
    found: list[datetime] = []

    def add(year: str, month: int | str, day: str) -> None:
        with suppress(ValueError):  # 31.02.2027: not a date
            found.append(datetime(int(year), int(month), int(day), 23, 59, tzinfo=UTC))

    for m in _DATE_NUM.finditer(text):
        add(m.group(3), m.group(2), m.group(1))
    for m in _DATE_ISO.finditer(text):
        add(m.group(1), m.group(2), m.group(3))
    for m in _DATE_DMY.finditer(text):
        add(m.group(3), _MONTHS[m.group(2).lower()], m.group(1))
    for m in _DATE_MDY.finditer(text):
        add(m.group(3), _MONTHS[m.group(1).lower()], m.group(2))
    return min(found) if found else None


def read_fields(*, text: str, subject: str, sender_name: str, sender_email: str) -> LetterFields:
    """Every field the intake can take from a letter; what it cannot find stays empty."""
    whole = f"{subject}\n{text}"
    basis = _LEGAL_BASIS.search(whole)
    return LetterFields(
        sender_name=sender_name or None, sender_email=sender_email or None,
        language=language_of(whole),
        urls=list(dict.fromkeys(u.rstrip(".,;:") for u in _URL.findall(whole)))[:500],
        jurisdiction=_first(_JURISDICTION, whole), notice_type=_first(_NOTICE_TYPE, whole),
        sender_type=_first(_SENDER_TYPE, f"{sender_name}\n{whole}"),
        legal_basis=" ".join(basis.group(0).split()) if basis else None,
        deadline=deadline_in(whole), good_faith=bool(_GOOD_FAITH.search(whole)),
        explanation=text.strip()[:20_000],
    )
