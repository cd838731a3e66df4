"""Typed errors for expected problems, each with a Chinese message, where, and what is allowed."""

from __future__ import annotations

# The word before ``allowed`` wherever a problem is shown. It holds the values a cell
# takes ("0到1000之间的整数") and, for a refused step, what to do instead ("如需修改,
# 请先退回…"): 要求 reads right for both, 允许 only for the first.
ALLOWED_LABEL = "要求"


class JlipError(Exception):
    """An expected problem the user can act on (bad input, wrong file, locked period...).

    ``message`` says what is wrong, ``where`` where it happened (file, line, sheet!cell,
    field), ``allowed`` what would be accepted. All three are Chinese, for the user.
    """

    def __init__(self, message: str, *, where: str | None = None, allowed: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.allowed = allowed

    def __str__(self) -> str:
        parts = []
        if self.where:
            parts.append(f"{self.where}:")
        parts.append(self.message)
        text = "".join(parts[:1]) + (" " if len(parts) > 1 else "") + "".join(parts[1:])
        if self.allowed:
            text += f"({ALLOWED_LABEL}:{self.allowed})"
        return text


class PlanError(JlipError):
    """A plan definition file is invalid."""


class StoreError(JlipError):
    """The local store cannot be opened or used (newer version, corrupt, locked, disk full)."""


class InputError(JlipError):
    """A value, code, period or argument given by the user is not acceptable."""


class NotAllowedError(JlipError):
    """The action is not allowed for this installation or in this state (locked period...)."""
