"""Downloads of a case's mail from the case view: each attachment, and the raw message.

Both carry personal data unmasked (a letter names its sender and whoever it is about), so they
are for the roles that may reveal personal data (``mail.read``); roles that see it masked are
refused. Which cases is the readable-cases clause, in the same query as the bytes; every
download is recorded on the case's timeline.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import MAX_ROW_ID
from integrity_desk.audit.service import record
from integrity_desk.cases.domain import parse_case_key
from integrity_desk.db import utcnow
from integrity_desk.mail.files import Download, attachment, raw_message
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError

router = APIRouter(include_in_schema=False)
MailReader = Annotated[Viewer, Depends(page(Action.MAIL_READ))]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def _case_id(key: str) -> int:
    parsed = parse_case_key(key)
    if parsed is None:
        raise PageError(404, "No such case", f"{key} is no case key (e.g. LGL-12).")
    return parsed[1]


def _send(session: SessionDep, viewer: Viewer, case_id: int, found: Download | None,
          what: str) -> Response:
    if found is None:
        raise PageError(404, "No such file", "There is no such file on a case you may open, "
                        "or retention erased it with the case's personal data.")
    record(session, kind="mail.downloaded", category="access", actor=viewer.actor,
           case_id=case_id, at=utcnow(), payload={"what": what, "file": found.filename})
    # Always a download, never rendered by the browser: a letter's HTML or SVG must not run
    # inside the desk's origin.
    return Response(found.content, media_type=found.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@router.get("/cases/{key}/files/{file_id}", name="case_mail_file")
def case_mail_file(key: str, file_id: RowId, session: SessionDep,
                   viewer: MailReader) -> Response:
    """One attachment of a letter the case received."""
    case_id = _case_id(key)
    return _send(session, viewer, case_id, attachment(session, viewer.user, case_id, file_id),
                 "attachment")


@router.get("/cases/{key}/mail/{mail_id}/raw", name="case_mail_raw")
def case_mail_raw(key: str, mail_id: RowId, session: SessionDep,
                  viewer: MailReader) -> Response:
    """A letter the case received, exactly as it arrived (.eml)."""
    case_id = _case_id(key)
    return _send(session, viewer, case_id, raw_message(session, viewer.user, case_id,
                                                       mail_id), "raw message")
