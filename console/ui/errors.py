"""Turn the client's failures into sentences an office worker can act on."""
from __future__ import annotations

from console.api import (
    ApiError,
    ConnectionFailedError,
    InvalidArgumentError,
    KeyRefusedError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    UnreadableReplyError,
)
from console.domain.wording import plural

DEFAULT_CHECK = "Check History before sending it again."


def _messages(err: ApiError) -> str:
    messages = [m for m in err.messages if m]
    return " ".join(f"“{m}”" for m in messages)


def is_outcome_unknown(err: BaseException) -> bool:
    """True when the request may have been acted on although the call failed."""
    return isinstance(err, ApiError) and err.outcome_unknown  # always so for OutcomeUnknownError


def describe_error(err: BaseException, *, profile_name: str, action: str,
                   done_verb: str = "sent", check: str = DEFAULT_CHECK) -> str:
    """A plain-words sentence for `err`.

    `action` is what the user was doing, as a noun phrase ("the message",
    "the call", "the recording"), used where the outcome matters; `done_verb`
    says what would have happened to it ("sent", "placed", "created") and
    `check` what to look at before trying again when nobody knows.
    """
    if isinstance(err, InvalidArgumentError):
        return f"{err} Correct it and try again."
    if isinstance(err, KeyRefusedError):
        return (f"The key for '{profile_name}' was refused: check it in "
                "Profile ▸ Manage profiles.")
    if isinstance(err, RateLimitedError):
        wait = err.retry_after
        when = f"in {plural(max(1, round(wait)), 'second')}" if wait else "in a minute"
        return (f"Voitex is busy and asked us to slow down; {action} was not sent. "
                f"Try again {when}.")
    if isinstance(err, ConnectionFailedError) and getattr(err, "step", "") in ("proxy", "tls", "lookup"):
        # The office proxy, the certificate or the name lookup: the client's own
        # words name it and say what to do (never "Voitex" for the proxy's refusal).
        return f"{err}"
    if isinstance(err, ConnectionFailedError):
        return (f"Could not reach Voitex for '{profile_name}'; {action} was not sent. "
                "Check the internet connection and the profile's base URL, then try again.")
    if is_outcome_unknown(err):
        return (f"Voitex did not answer clearly, so {action} may or may not have been "
                f"{done_verb}. {check}")
    if isinstance(err, RequestRejectedError):
        detail = _messages(err) or "no reason was given"
        return f"Voitex refused {action}: {detail}. Correct it and try again."
    if isinstance(err, ServerError):
        return (f"Voitex had a problem (error {err.status_code}); {action} was not completed. "
                "Try again in a few minutes.")
    if isinstance(err, UnreadableReplyError):
        return (f"Voitex sent a reply the console could not read (HTTP {err.status_code}). "
                "Try again later; if it persists, contact Voitex support.")
    if isinstance(err, ApiError):
        return f"{action.capitalize()} failed: {err}"
    return f"{action.capitalize()} failed because of an unexpected problem: {err}"
