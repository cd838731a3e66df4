"""Typed errors for expected problems, each with a Chinese message, where, and what is allowed."""

from __future__ import annotations


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
            text += f"(允许:{self.allowed})"
        return text


class PlanError(JlipError):
    """A plan definition file is invalid."""


class StoreError(JlipError):
    """The local store cannot be opened or used (newer version, corrupt, locked, disk full)."""


class InputError(JlipError):
    """A value, code, period or argument given by the user is not acceptable."""


class NotAllowedError(JlipError):
    """The action is not allowed for this installation or in this state (locked period...)."""
