"""What the Recordings tab says, without Qt: the time left, the progress line under
the bar, the selected row's details, the note about rows that replace a recording."""
from __future__ import annotations

import html
from collections.abc import Mapping

from console.domain.audio import format_size
from console.domain.wording import plural
from console.jobs import uploads as uq
from console.jobs.uploads.items import QueueItem, QueueProgress
from console.jobs.uploads.status import Status
from console.ui.recordings.model import status_text


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return "less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min left" if minutes else f"about {hours} h left"


def progress_text(p: QueueProgress, counts: Mapping[Status, int], *, paused: bool,
                  active: int) -> str:
    """"2 of 3 files uploaded · 1.2 MB of 3.4 MB · 1 failed · about 2 min left"."""
    parts = []
    if p.files_total:
        parts.append(f"{p.files_done:,} of {plural(p.files_total, 'file')} uploaded")
        parts.append(f"{format_size(p.bytes_done)} of {format_size(p.bytes_total)}")
    if p.files_failed:
        parts.append(f"{p.files_failed} failed")
    if counts[uq.REJECTED]:
        parts.append(f"{counts[uq.REJECTED]} rejected")
    if counts[uq.INSPECTING]:
        parts.append(f"reading {plural(counts[uq.INSPECTING], 'file')}…")
    eta = format_eta(p.eta_s)
    if eta:
        parts.append(eta)
    if paused:
        parts.append("paused" if not active else "pausing…")
    return " · ".join(parts) if parts else "Nothing queued."


def details_html(item: QueueItem, replace_note: str | None) -> str:
    """The selected row: its name and status, why it stopped, what it replaces,
    what its audio is, and where the file is."""
    lines = [f"<b>{html.escape(item.name)}</b> — {html.escape(status_text(item))}"]
    if item.status in (uq.UNSURE, uq.CANCELLED) and item.reason:
        lines.append(html.escape(item.reason))
    if replace_note:
        lines.append(f"⚠ {html.escape(replace_note)}")
    if item.info is not None and item.info.ok:
        lines.append(html.escape(item.info.summary()))
        lines += [f"⚠ {html.escape(advice)}" for advice in item.info.advice]
    lines.append(f"<span style='color: palette(mid)'>{html.escape(str(item.path))}</span>")
    return "<br>".join(lines)


def replace_summary(notes: Mapping[int, str]) -> str:
    """The first row's note about the recording it replaces, and how many more do."""
    first = next(iter(notes.values()))
    count = len(notes)
    more = (f" ({plural(count - 1, 'more row also replaces', 'more rows also replace')} a recording; "
            "select a row to see what.)" if count > 1 else "")
    return first + more
