"""Send one-off requests (SMS, call, TTS) with a journal entry around each.

The entry is written as pending before the request leaves and updated with
the outcome after, so a crash in between shows up as "unknown" on the next
start instead of vanishing.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from console.api import ApiError
from console.jobs.session import AccountSession
from console.store.journal import Journal, JournalEntry


def outcome_of(err: BaseException) -> str:
    return "unknown" if getattr(err, "outcome_unknown", False) else "failed"


def messages_of(err: BaseException) -> list[str]:
    messages = list(getattr(err, "messages", None) or [])
    return messages or [str(err)]


class Sender:
    def __init__(self, *, session: AccountSession, journal: Journal,
                 on_journal_changed: Callable[[], None] | None = None) -> None:
        self.session = session
        self.journal = journal
        self._on_journal_changed = on_journal_changed or (lambda: None)

    async def _journalled(self, *, kind: str, recipient: str, content: str,
                          request: dict[str, Any], result_id_of: Callable[[Any], str | None],
                          call: Callable[[], Awaitable[Any]], resend_of: int | None) -> Any:
        profile = self.session.profile
        client = self.session.client()  # NoKeyError before anything is journalled
        entry_id = self.journal.begin(kind=kind, profile_id=profile.id,
                                      profile_name=profile.name, recipient=recipient,
                                      content=content, request=request, resend_of=resend_of)
        self._on_journal_changed()
        self.session.request_started()
        try:
            result = await call(client)
        except ApiError as err:
            self.journal.finish(entry_id, outcome=outcome_of(err), messages=messages_of(err))
            raise
        except BaseException as err:
            # Cancelled or crashed after the request may have left: nobody knows.
            self.journal.finish(entry_id, outcome="unknown",
                                messages=[f"Interrupted: {type(err).__name__}"])
            raise
        else:
            self.journal.finish(entry_id, outcome="done", result_id=result_id_of(result))
            return result
        finally:
            self.session.request_finished()
            self._on_journal_changed()

    async def send_sms(self, *, from_number: str, to: str, body: str,
                       resend_of: int | None = None):
        return await self._journalled(
            kind="sms", recipient=to, content=body,
            request={"from": from_number, "to": to, "body": body},
            result_id_of=lambda r: r.reference_id,
            call=lambda c: c.send_sms(from_number=from_number, to=to, body=body),
            resend_of=resend_of)

    async def place_call(self, *, cid: str, to: str, type: str, sfile_id: str | None = None,
                         route_number: str | None = None, branch_number: str | None = None,
                         resend_of: int | None = None):
        request = {"cid": cid, "to": to, "type": type}
        if type == "stream":
            request["sfile_id"] = sfile_id
            content = f"Play library file {sfile_id}"
        else:
            request.update(route_number=route_number, branch_number=branch_number)
            content = f"Route into branch {branch_number} of {route_number}"
        kwargs = {k: v for k, v in request.items() if v is not None}
        return await self._journalled(
            kind="call", recipient=to, content=content, request=request,
            result_id_of=lambda r: r.reference_id,
            call=lambda c: c.notification_call(**kwargs), resend_of=resend_of)

    async def create_tts(self, *, text: str, album_number: int, sort_number: int | None = None,
                         resend_of: int | None = None):
        where = f"album {album_number}" + (f" / sort {sort_number}" if sort_number is not None else "")
        request = {"album_number": album_number, "text": text}
        if sort_number is not None:
            request["sort_number"] = sort_number
        return await self._journalled(
            kind="tts", recipient=where, content=text, request=request,
            result_id_of=lambda r: r.recording_id,
            call=lambda c: c.create_tts(text=text, album_number=album_number,
                                        sort_number=sort_number),
            resend_of=resend_of)

    async def resend(self, entry: JournalEntry):
        """Send a failed or unknown entry again, as a new journal entry."""
        r = dict(entry.request)
        if entry.kind == "sms":
            return await self.send_sms(from_number=r["from"], to=r["to"], body=r["body"],
                                       resend_of=entry.id)
        if entry.kind == "call":
            return await self.place_call(cid=r["cid"], to=r["to"], type=r["type"],
                                         sfile_id=r.get("sfile_id"),
                                         route_number=r.get("route_number"),
                                         branch_number=r.get("branch_number"),
                                         resend_of=entry.id)
        if entry.kind == "tts":
            return await self.create_tts(text=r["text"], album_number=int(r["album_number"]),
                                         sort_number=(int(r["sort_number"])
                                                      if r.get("sort_number") is not None else None),
                                         resend_of=entry.id)
        raise ValueError(f"{entry.kind} entries are sent again from their own tab.")
