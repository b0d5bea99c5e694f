"""The floor under every value the desk takes from outside: no integer beyond signed 64 bits,
no NUL character, no nesting deeper than a form could need.

A module of its own, below both the API (whose input guard applies it to whole bodies) and the
services (a batch of flags applies it to each item, answering each in its place).
"""

from __future__ import annotations

import math
from typing import Any

# Signed 64 bits: the widest integer either database stores or compares. SQLite's driver raises
# OverflowError beyond it (a crash), PostgreSQL a DataError; both are refused before SQL instead.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# No body the desk takes nests deeper than a handful of levels (calendar hours are three).
MAX_JSON_DEPTH = 32


class InputRefused(Exception):
    """One value of a request that no route may see: where it is, and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _path_of(parts: list[str | int]) -> str:
    # The same dotted form the validation errors use ("items.3.review.ref").
    return ".".join(str(p) for p in parts) or "body"


def check_json(value: Any) -> None:
    """Refuse integers outside signed 64 bits, numbers that are not finite or would overflow
    one, strings holding NUL, and nesting deeper than MAX_JSON_DEPTH; naming where they are.

    Iterative, so a deep document cannot exhaust the interpreter's stack here either.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]  # children pushed last first
    while stack:
        item, path = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            raise InputRefused(_path_of(path[:MAX_JSON_DEPTH]),
                               f"nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                raise InputRefused(_path_of(path), "integer outside the signed 64-bit range")
        elif isinstance(item, float):
            if not math.isfinite(item) or abs(item) >= 2.0**63:
                raise InputRefused(_path_of(path), "number outside the signed 64-bit range")
        elif isinstance(item, str):
            if "\x00" in item:
                raise InputRefused(_path_of(path), "holds a NUL character")
        elif isinstance(item, dict):
            for key in item:
                if "\x00" in key:
                    raise InputRefused(_path_of(path), "a key holds a NUL character")
            stack.extend((item[key], [*path, key]) for key in reversed(item))
        elif isinstance(item, list):
            stack.extend((item[i], [*path, i]) for i in reversed(range(len(item))))
