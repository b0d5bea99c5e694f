"""Postal addresses in free text: street and number (English, German, French forms), postcodes
with their city, UK and Dutch postcodes.

No library reads addresses out of running text in these languages without a trained model, so
these are patterns, kept narrow on purpose: a street needs its type word (Street, Straße, rue…)
beside a house number, and a postcode needs its city and a cue that it is one (a comma before
it, "PLZ", "CP", "code postal", a country prefix such as "D-" or "CH-"): a German "in 12000
Bewertungen" is a count, not a place.
"""

from __future__ import annotations

import re

_UP = "A-ZÄÖÜÉÈÀÂÎÔÛÇŁŚŻ"
_LOW = "a-zäöüßéèàâêîôûçëïœæłśżąęńó"
_WORD = rf"[{_UP}][{_UP}{_LOW}'’-]*"
_NUMBER = r"\d{1,4}(?:\s?(?:bis|ter|[a-hA-H])(?![\w]))?(?:\s?[-/]\s?\d{1,4})?"
_CITY = (rf"{_WORD}(?:\s+(?:am|an|im|in|der|sur|sous|en|lès|les|bei|ob)\s+{_WORD})?"
         r"(?:\s+(?:Cedex|CEDEX)(?:\s+\d{1,2})?)?")
# ", 10115 Berlin" after a street: one [address] for the whole address.
_TAIL = rf",?\s+(?:[A-Z]{{1,2}}-)?\d{{4,5}}\s+{_CITY}"

_DE_TYPES = r"(?:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad)"
# Written apart, the type is a noun of its own and capitalised ("Berliner Straße 5"); a
# "Review ring 37" is no street.
_DE_WORDS = r"(?:Stra(?:ß|ss)e|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer|Chaussee|Steig|Pfad)"
_DE_STREET = re.compile(
    rf"(?<![\w-])(?:{_WORD}{_DE_TYPES}|{_WORD}\s+{_DE_WORDS})\s*{_NUMBER}(?!\w)(?:{_TAIL})?")
_EN_TYPES = (r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Boulevard|Blvd|Way|Place|Pl"
             r"|Court|Ct|Square|Sq|Close|Crescent|Terrace|Gardens|Grove|Row|Mews|Walk|Parade)")
_UK = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?![\w-])"
# ", London NW1 6XE": a British town is written before its postcode.
_UK_TAIL = rf",?\s+(?:{_WORD}(?:\s+{_WORD})?,?\s+)?{_UK}"
_EN_STREET = re.compile(
    rf"(?<![\w.,/-])(?:(?:Flat|Apt\.?|Unit)\s+\d{{1,4}}[A-Za-z]?,?\s+)?{_NUMBER},?\s+"
    rf"(?:{_WORD}\s+){{1,3}}{_EN_TYPES}\b(?:{_UK_TAIL}|{_TAIL})?")
_FR_TYPES = (r"(?i:rue|avenue|av\.|boulevard|bd|place|chemin|allée|allee|impasse|quai|route"
             r"|cours|square|passage|voie|faubourg|rond-point|sentier|résidence|lotissement)")
_FR_ARTICLE = r"(?:(?:de\s+la|de\s+l['’]|du|des|de|d['’]|la|le|les|l['’]|aux|au)\s*)?"
_FR_STREET = re.compile(
    rf"(?<![\w.,/-]){_NUMBER},?\s+{_FR_TYPES}\s+{_FR_ARTICLE}{_WORD}(?:\s+{_WORD}){{0,3}}"
    rf"(?:{_TAIL})?")
# A postcode with its city, after a cue that it is one (kept as the replacement's prefix).
_POSTCODE = re.compile(
    rf"(?P<comma>,\s+)\d{{5}}\s+{_CITY}"
    rf"|(?P<cue>\b(?:PLZ|CP|[Cc]ode postal|[Pp]ost ?code|[Zz]ip(?: code)?)\s*:?\s*)\d{{4,5}}"
    rf"\s+{_CITY}"
    rf"|(?<![\w-])(?:D|F|A|CH|B|L|I|E|NL|LU)-\d{{4,5}}\s+{_CITY}")
_UK_POSTCODE = re.compile(rf"(?<![\w-]){_UK}")
_NL_POSTCODE = re.compile(rf"(?<![\w-])\d{{4}}\s?[A-Z]{{2}}\s+{_WORD}")


def sub_addresses(token: str, text: str) -> str:
    """Street addresses and postcodes with their city replaced by ``token``."""
    for pattern in (_DE_STREET, _FR_STREET, _EN_STREET, _NL_POSTCODE, _UK_POSTCODE):
        text = pattern.sub(token, text)
    return _POSTCODE.sub(lambda m: (m.group("comma") or m.group("cue") or "") + token, text)
