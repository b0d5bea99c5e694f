"""Errors of the web console, answered as pages (the API answers JSON; see api/app.py)."""

from __future__ import annotations


class PageError(Exception):
    """A request the console refuses: shown as a page with a title and what to do next."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message


class CsrfRefused(PageError):
    def __init__(self) -> None:
        super().__init__(
            403, "Request refused",
            "This form did not carry the page's security token, so the desk did not act on it. "
            "That happens when a page was open for a long time, when you signed in again in "
            "another tab, or when another site tried to act in your name. Reload the page "
            "and try again.")


class LoginRequired(Exception):
    """No live browser session; `reason` is why the last one ended (idle, expired, …)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "not signed in")
        self.reason = reason
