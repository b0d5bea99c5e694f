"""What the search API reads and answers: its request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SearchHitOut(BaseModel):
    key: str
    kind: str
    title: str = Field(description="contact details in it masked")
    status: str
    priority: str
    queue: str | None
    matched: str = Field(description="key, review, business, reviewer, organisation, text "
                                     "or comment")
    label: str = Field(description="what matched, e.g. 'review r-123'")
    snippet: str | None = Field(description="where the words matched (description or "
                                            "comment), masked")
    highlights: list[str] = Field(description="the parts of the snippet that matched")
    harm: list[str] = Field(default_factory=list, description=(
        "what triage found harmful to view in the case's own title and description (threat, "
        "violence, hate, sexual; docs/wellbeing.md): the console hides its title and snippet"))


class SearchPage(BaseModel):
    query: str
    recognised: list[str] = Field(description="what the query was read as (a case key, a "
                                              "review, a business …)")
    items: list[SearchHitOut]
    page: int
    has_more: bool
    capped: bool = Field(description="free text ranked only the newest matches; refine it")
