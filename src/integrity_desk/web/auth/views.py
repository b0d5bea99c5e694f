"""What the sign-in page shows: why a session ended, in the words of the login page."""

from __future__ import annotations

ENDED_MESSAGES = {
    "idle": "Your session ended after a while without activity. Sign in again.",
    "expired": "Your session reached its maximum length. Sign in again.",
    "password_reset": "Your password was reset by an administrator. Sign in with the new one.",
    "deactivated": "Your account has been deactivated.",
    "replaced": "You signed in again elsewhere in this browser.",
    "logout": "You are signed out.",
}
