"""The base of the branch tools' refusals: each says, in `message`, what is wrong and what to do."""
from __future__ import annotations

__all__ = ["MessageError"]


class MessageError(Exception):
    """A refusal whose `message` is meant for the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
