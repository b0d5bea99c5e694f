"""Languages of the public pages: gettext catalogues (Babel's .po files under locale/) and
the ``_`` the templates and messages call (web/i18n.py chooses a request's language).

The catalogues are compiled when first used (Babel reads the .po and writes the .mo into
memory), so the package ships one source of truth per language and a stale .mo cannot exist.
English is the source language (the message ids themselves).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).with_name("locale")
DOMAIN = "public"
SOURCE = "en"
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "fr": "Français"}
COOKIE = "idesk_lang"


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where shown."""
    return message


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language == SOURCE:
        return gettext.NullTranslations()
    path = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def gettext_for(language: str) -> Callable[..., str]:
    """``_(message, **params)``: translated, then %-formatted with the params."""
    found = translations(language if language in LANGUAGES else SOURCE)

    def _(message: str, **params: Any) -> str:
        text = found.gettext(message)
        return text % params if params else text

    return _
