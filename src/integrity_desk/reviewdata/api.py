"""The platform pushes its data: ``POST /imports/{kind}`` with an NDJSON body.

The body is read as it streams in and written a batch at a time (as ``idesk import``), all in
the request's one transaction: a request lands whole or not at all, so the platform pushes a
large feed as several requests. Its size is bounded by ``IMPORT_BODY_BYTES``, not by memory.
The answer is NDJSON too: one line per input line — ``{"line": 3, "key": "r-17", "result":
"added"}``, or ``"result": "bad"`` with the field and the reason — and a last line with the
totals. A line's result is written when its batch lands (bad lines at once), so lines may come
out of order; each names its line. Results are spooled to a temporary file, not held in memory.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import nullcontext
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import Principal, SessionDep, allow
from integrity_desk.errors import InvalidInput
from integrity_desk.reviewdata.rows import BadRow, json_rows
from integrity_desk.reviewdata.service import ImportRun

router = APIRouter(tags=["review data"])
IMPORT_BODY_BYTES = 1 << 30  # 1 GiB a request; a larger feed is several requests
MAX_LINE_BYTES = 1 << 20  # a record longer than this is refused, not held in memory
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/jsonl", "application/json-lines"})
DataImporter = Annotated[Principal, Depends(allow(Action.DATA_IMPORT))]


@router.post(
    "/imports/{kind}", response_class=StreamingResponse,
    summary="Import businesses, reviewers, reviews or flags from an NDJSON body",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/x-ndjson": {"schema": {"type": "string"}}}}},
    responses={200: {"description": "one result per input line, then the totals (NDJSON)",
                     "content": {"application/x-ndjson": {}}}})
async def import_records(kind: Literal["reviews", "businesses", "reviewers", "flags"],
                         request: Request, session: SessionDep, principal: DataImporter
                         ) -> StreamingResponse:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in NDJSON_TYPES:
        raise InvalidInput("must be application/x-ndjson: one JSON object a line",
                           field="content-type")
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115

    def write(record: dict[str, Any]) -> None:
        spool.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")

    def on_bad(bad: BadRow) -> None:
        write({"line": bad.line, "result": "bad", "field": bad.field, "reason": bad.reason})

    def on_result(line: int, key: str, result: str, details: dict[str, Any]) -> None:
        write({"line": line, "key": key, "result": result, **details})

    run = ImportRun(lambda: nullcontext(session), kind, actor=principal.actor, on_bad=on_bad,
                    on_result=on_result)

    def feed(lines: list[bytes], start: int) -> None:
        for offset, line in enumerate(lines):
            if len(line) > MAX_LINE_BYTES:
                run.add(start + offset, BadRow(start + offset, "line", too_long))
                continue
            for number, row in json_rows([line], start=start + offset):
                run.add(number, row)

    too_long = f"longer than {MAX_LINE_BYTES:,} bytes"
    pending, number, overlong = b"", 1, False
    async for chunk in request.stream():
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        if overlong and lines:  # the rest of a refused line, up to its end
            lines.pop(0)
            number, overlong = number + 1, False
        if lines:
            await run_in_threadpool(feed, lines, number)
            number += len(lines)
        if len(pending) > MAX_LINE_BYTES:
            if not overlong:
                run.add(number, BadRow(number, "line", too_long))
            pending, overlong = b"", True
    if pending.strip() and not overlong:
        await run_in_threadpool(feed, [pending], number)
    summary = await run_in_threadpool(run.finish)
    write({"summary": summary.as_dict()})
    spool.seek(0)
    return StreamingResponse(_chunks(spool), media_type="application/x-ndjson")


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(1 << 16):
            yield chunk
