"""History's "Send again": the rules say whether it may, the sender sends, the
status bar says how it went (console/jobs/resend.py holds the rules)."""
from __future__ import annotations

from console.api.errors import ApiError
from console.jobs import resend as resend_rules
from console.jobs.sender import HistoryUnavailableError, Sender
from console.jobs.session import AccountSession, NoKeyError
from console.store.journal import JournalEntry
from console.ui.messages import MessageBridge


class ResendAction:
    """`await action(entry)`: the entry sent again as a new History entry, or a message why not."""

    def __init__(self, *, session: AccountSession, sender: Sender,
                 messages: MessageBridge) -> None:
        self._session = session
        self._sender = sender
        self._messages = messages

    async def __call__(self, entry: JournalEntry) -> None:
        profile = self._session.profile
        verdict = resend_rules.resend_verdict(entry, active_profile_id=profile.id)
        if not verdict.allowed:
            self._messages.warning(verdict.reason)
            return
        action = resend_rules.action_label(entry.kind)
        try:
            await self._sender.resend(entry)
        except (NoKeyError, HistoryUnavailableError) as err:
            self._messages.error(str(err))
        except Exception as err:
            from console.ui.errors import describe_error

            self._messages.error(describe_error(err, profile_name=profile.name, action=action))
            if not isinstance(err, ApiError):
                raise  # a bug: the crash dialog shows it
        else:
            self._messages.info(resend_rules.sent_again_text(entry))
