"""Answers of the hottest endpoints, handed over as JSON directly."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_of(model: BaseModel, status_code: int = 200) -> Response:
    """The model as a JSON response.

    FastAPI validates a returned model against the route's ``response_model`` once more before
    serialising it (~0.3 ms for a case); these endpoints built the model from their own typed
    data, so they hand over its JSON. The route's ``response_model`` still documents it.
    """
    return Response(model.model_dump_json(), status_code=status_code,
                    media_type="application/json")
