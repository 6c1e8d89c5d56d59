"""One broadcast row's request and what its answer makes of the row, for every runner.

The desk's runner (console/jobs/broadcast_runner.py), an office participant
(broadcast_participant.py) and the desk-less runner all send a row through
`send_outcome`, so a row's answer means the same everywhere:

- sent: Voitex took it (its reference id is kept);
- queued again: provably not sent (HTTP 429, no connection, no key, History
  could not record it first): it may go later;
- failed: refused and not acted on;
- unknown: it may have gone out; a person decides.

Some answers also stop the run (no key, the key refused, no connection):
`SendOutcome.stop` says why, in words for the user.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from console.api import ApiError, ConnectionFailedError, InvalidArgumentError, KeyRefusedError, RateLimitedError
from console.domain.broadcast.rate import RateLimiter
from console.domain.vocabulary import EntryKind, RowState
from console.store.broadcast_types import RowInfo, RunInfo

if TYPE_CHECKING:
    from console.jobs.sender import Sender

log = logging.getLogger(__name__)

__all__ = ["RowSender", "SendOutcome", "send_outcome", "send_broadcast_row", "Describe"]

# (run, row) -> the reference id Voitex gave. Raises what the Sender raises.
RowSender = Callable[[RunInfo, RowInfo], Awaitable[str | None]]
Describe = Callable[[BaseException, str], str]


async def send_broadcast_row(sender: Sender, run: RunInfo, row: RowInfo) -> str | None:
    """The one place a broadcast row reaches the journalled Sender.

    Each row's History entry carries the run's id as its group, so History
    can list a run's entries together.
    """
    s = run.settings
    group = str(run.id)
    if run.kind == EntryKind.SMS:
        sms = await sender.send_sms(from_number=s["from"], to=row.number, body=row.text,
                                    group_id=group)
        return sms.value.reference_id
    call = await sender.place_call(cid=s["cid"], to=row.number, type=s["type"],
                                   sfile_id=s.get("sfile_id"),
                                   route_number=s.get("route_number"),
                                   branch_number=s.get("branch_number"),
                                   group_id=group)
    return call.value.reference_id


@dataclass(frozen=True)
class SendOutcome:
    state: RowState
    result_id: str | None
    message: str
    stop: str | None = None  # why the run (on this desk) stops, in words; None: it goes on
    slowed: bool = False  # Voitex asked to slow down (the limiter was told)


async def send_outcome(send_row: RowSender, run: RunInfo, row: RowInfo, limiter: RateLimiter,
                       describe: Describe, action: str, *,
                       in_air: Callable[[], Awaitable[None]]) -> SendOutcome:
    """Send `row` and map the answer. A cancellation (the console or runner stopping with the
    request in the air) propagates once `in_air()`, shielded from it, has recorded the row as
    unknown."""
    from console.jobs.sender import HistoryUnavailableError
    from console.jobs.session import NoKeyError

    try:
        result_id = await send_row(run, row)
    except asyncio.CancelledError:
        await asyncio.shield(in_air())
        raise
    except RateLimitedError as err:
        limiter.rate_limited(err.retry_after)
        return SendOutcome(RowState.QUEUED, None,
                           f"Voitex asked to slow down; the whole run now sends about "
                           f"{limiter.effective_per_second * 60:.0f} per minute.", slowed=True)
    except NoKeyError as err:
        return SendOutcome(RowState.QUEUED, None, "Not sent: no account key.", stop=str(err))
    except HistoryUnavailableError as err:
        return SendOutcome(RowState.QUEUED, None, "Not sent: History could not record it first.",
                           stop=f"{err} The run is paused; press Resume then.")
    except ConnectionFailedError as err:
        return SendOutcome(RowState.QUEUED, None, "Not sent: Voitex could not be reached.",
                           stop=(f"{describe(err, action)} The run is paused; press Resume when "
                                 "the connection is back."))
    except KeyRefusedError as err:
        words = describe(err, action)
        return SendOutcome(RowState.FAILED, None, words, stop=words)
    except InvalidArgumentError as err:
        return SendOutcome(RowState.FAILED, None, describe(err, action))
    except ApiError as err:
        state = RowState.UNKNOWN if err.outcome_unknown else RowState.FAILED
        return SendOutcome(state, None, describe(err, action))
    except Exception as err:  # a bug: the row may have left, so it is unknown
        log.exception("broadcast row failed unexpectedly")
        return SendOutcome(RowState.UNKNOWN, None,
                           f"An unexpected problem ({err}); it may have gone out.")
    limiter.succeeded()
    return SendOutcome(RowState.SENT, result_id, "")
