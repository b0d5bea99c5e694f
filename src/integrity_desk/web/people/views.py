"""Who a person is and their API tokens, as the console shows them (My work, your account),
shaped from the services' objects (no queries here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from integrity_desk.people.models import ApiToken, User
from integrity_desk.people.service import token_state


@dataclass(frozen=True)
class PersonView:
    name: str
    email: str
    role: str
    team: str | None
    languages: list[str]
    max_tier: int


def person_view(user: User) -> PersonView:
    return PersonView(user.name, user.email, user.role, user.team.name if user.team else None,
                      list(user.languages or []), user.max_tier)


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    scopes: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    state: str

    @property
    def revocable(self) -> bool:
        return self.state != "revoked"


def token_row(token: ApiToken) -> TokenRow:
    return TokenRow(token.id, token.name, token.prefix, ", ".join(token.scopes),
                    token.created_at, token.expires_at, token.last_used_at,
                    token_state(token))

