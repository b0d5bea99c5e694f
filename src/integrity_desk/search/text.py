"""The text the full-text index sees: contact details cut out.

Every role sees e-mail addresses and phone numbers masked, so none may find a case by them:
they never reach the index. PostgreSQL's generated column and SQLite's trigger function cut
out the same thing (the pattern twice, once in POSIX classes). SQLite's connections get
:func:`search_text` as the SQL function :data:`SQL_FUNCTION`, registered at start-up with
``db.register_sqlite_function``; this module imports nothing of ours.
"""

from __future__ import annotations

import re

# E-mail addresses, and runs of 7+ digits and separators (phone numbers; dates and long numbers
# go with them).
CONTACT_PATTERN_PG = (r"[[:alnum:]._%+-]+@[[:alnum:]-]+(\.[[:alnum:]-]+)+"
                      r"|\+?\(?[0-9][0-9 ()./-]{5,}[0-9]")
_ALNUM = r"[^\W_]"
CONTACT_PATTERN = re.compile(
    rf"(?:{_ALNUM}|[._%+-])+@(?:{_ALNUM}|-)+(?:\.(?:{_ALNUM}|-)+)+"
    r"|\+?\(?[0-9][0-9 ()./-]{5,}[0-9]")
SQL_FUNCTION = "idesk_search_text"


def search_text(value: str | None) -> str | None:
    """The text as the full-text index sees it."""
    if not value:
        return value
    return CONTACT_PATTERN.sub(" ", value)
