"""History's details pane: an entry in the words of the form that sent it."""
from __future__ import annotations

import html
import json

from console.domain.phone import format_phone
from console.store.journal import JournalEntry
from console.ui.history_cells import KIND_LABELS, OUTCOME_LABELS, format_recipient, local_time

# What each stored request field is called on the form that sends it, so the
# details read like the SMS, Calls, Text to speech and Recordings tabs.
REQUEST_LABELS = {
    "from": "From",
    "to": "To",
    "body": "Message",
    "cid": "Caller id",
    "type": "When they answer",
    "sfile_id": "Library file id",
    "route_number": "Route number",
    "branch_number": "Branch number",
    "text": "Text",
    "album_number": "Album",
    "sort_number": "Sort number",
    "display_name": "Display name",
    "upload_file": "File",
    "size": "Size",
}
_PHONE_FIELDS = frozenset({"from", "to", "cid", "route_number"})
_CALL_TYPES = {"stream": "Play a recording from the library",
               "goto": "Route into an IVR branch"}


def request_rows(entry: JournalEntry) -> list[tuple[str, str]]:
    """The stored request as (label, value) pairs in the forms' words."""
    rows = []
    for name, value in entry.request.items():
        if value is None:
            continue
        label = REQUEST_LABELS.get(name) or name.replace("_", " ").capitalize()
        if name in _PHONE_FIELDS and isinstance(value, str) and value.isdigit():
            text = format_phone(value)
        elif name == "type" and entry.kind == "call":
            text = _CALL_TYPES.get(str(value), str(value))
        elif name == "size" and isinstance(value, int):
            text = _size(value)
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append((label, text))
    return rows


def _size(size: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("KB", 1_000)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _detail_html(entry: JournalEntry) -> str:
    def row(label: str, value: str) -> str:
        return (f"<tr><th align='left' valign='top' style='padding-right:12px'>{html.escape(label)}</th>"
                f"<td>{html.escape(value).replace(chr(10), '<br>')}</td></tr>")

    def heading(text: str) -> str:
        return (f"<tr><th colspan='2' align='left' style='padding-top:8px'>"
                f"{html.escape(text)}</th></tr>")

    rows = [
        row("Entry", str(entry.id)),
        row("Time", local_time(entry)),
        row("Kind", KIND_LABELS.get(entry.kind, entry.kind)),
        row("Profile", entry.profile_name),
    ]
    # Who sent it: the desk (computer) and the person signed in there.
    if entry.desk:
        rows.append(row("Desk", entry.desk))
    if entry.operator:
        rows.append(row("Operator", entry.operator))
    rows += [
        row("To / Where", format_recipient(entry.recipient)),
        row("Outcome", OUTCOME_LABELS.get(entry.outcome, entry.outcome)),
    ]
    if entry.group_id:
        rows.append(row("Broadcast run", entry.group_id))
    if entry.result_id:
        rows.append(row("Id", entry.result_id))
    if entry.resend_of is not None:
        rows.append(row("Sent again from", f"entry {entry.resend_of}"))
    if entry.messages:
        rows.append(row("Messages", "\n".join(entry.messages)))
    if entry.outcome == "unknown":
        rows.append(row("Note", "It is not known whether this reached the customer."))
    rows.append(row("Content", entry.content))
    fields = request_rows(entry)
    if fields:
        rows.append(heading("What was sent"))
        rows.extend(row(label, value) for label, value in fields)
    return "<table cellspacing='2'>" + "".join(rows) + "</table>"
