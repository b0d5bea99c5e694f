"""A local Transparency Database for the whole session; emptied before each test using it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.dsa.fake_tdb import FakeTransparencyDatabase, serve


@pytest.fixture(scope="session")
def _tdb_server() -> Iterator[tuple[FakeTransparencyDatabase, str]]:
    fake = FakeTransparencyDatabase()
    with serve(fake) as url:
        yield fake, url


@pytest.fixture
def tdb(_tdb_server: tuple[FakeTransparencyDatabase, str]) -> FakeTransparencyDatabase:
    fake, _ = _tdb_server
    fake.reset()
    return fake


@pytest.fixture
def tdb_url(_tdb_server: tuple[FakeTransparencyDatabase, str]) -> str:
    return _tdb_server[1]
