from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integrity_desk.db import Database
from integrity_desk.people.models import Team
from tests.conftest import Person
from tests.metrics.support import Desk, build_desk


@pytest.fixture
def desk(db: Database, client: Any, manager: Person, make_team: Callable[..., Team]) -> Desk:
    return build_desk(db, client, manager, make_team)
