"""What the sandbox received: its recording library and its outbox.

Kept in memory and mirrored to <data_dir>/state.json after every change
(written to a temporary file and renamed over the old one, so a crash never
leaves half a file), then read back at start-up so a restarted sandbox keeps
what it had. Uploaded files live in <data_dir>/library/<album>/<sort>.<wav|mp3>;
uploads in progress in <data_dir>/incoming/, emptied at start-up.

The recording library has one entry per album and sort number: a later upload
or TTS to the same pair replaces the entry (and its file) under a new
recording id. Each key has a library of its own, as each Voitex account does:
an entry of a key other than the first carries that key's `key_id` (a salted
hash, never the key) and its file lives under library/<key_id>/.
`upload_count` counts how many recordings were stored at that
pair since the last reset, so a test can prove a file arrived exactly once.

All methods are thread-safe; those that touch the disk belong on worker threads.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import string
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.domain.wording import plural
from console.sandbox.validation import CallRequest, SmsRequest, TtsRequest, UploadRequest
from console.store.files import atomic_write
from console.store.notices import DamagedFile, set_aside
from console.store.salvage import read_json_file

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
KEY_SALT_FILE = "key-salt"
_STATE_VERSION = 1
# The provider's samples show six-digit recording ids ("918357").
_FIRST_RECORDING_ID = 910001
_CALL_REFERENCE_LENGTH = 15  # "Sz1gt0IqgVV7HHs"
_SMS_REFERENCE_LENGTH = 6  # "u7T0um"
_TOLL_FREE_AREA_CODES = {"800", "833", "844", "855", "866", "877", "888"}

Entry = dict[str, Any]


class SandboxState:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.library_dir = self.data_dir / "library"
        self.spool_dir = self.data_dir / "incoming"
        self._lock = threading.Lock()
        self._recordings: list[Entry] = []
        self._upload_counts: dict[tuple[int, int], int] = {}
        self._sms: list[Entry] = []
        self._calls: list[Entry] = []
        self._next_recording_id = _FIRST_RECORDING_ID
        # What start-up found damaged in the state file (None: nothing).
        self.damage: DamagedFile | None = None
        self.library_dir.mkdir(parents=True, exist_ok=True)
        # Whatever is left in the spool is from uploads cut off by a crash.
        shutil.rmtree(self.spool_dir, ignore_errors=True)
        self.spool_dir.mkdir()
        self._load()

    def key_id(self, key: str) -> str:
        """A stable name for a key's library that does not reveal the key: a
        hash salted with a random value kept in <data_dir>/key-salt."""
        with self._lock:
            salt_file = self.data_dir / KEY_SALT_FILE
            try:
                salt = bytes.fromhex(salt_file.read_text(encoding="ascii").strip())
            except (OSError, ValueError):
                salt = b""
            if len(salt) < 16:
                salt = secrets.token_bytes(16)
                with atomic_write(salt_file, "w", encoding="ascii") as handle:
                    handle.write(salt.hex())
        return "k" + hmac.new(salt, key.encode("utf-8"), hashlib.sha256).hexdigest()[:16]

    # Views

    def library(self, key_id: str | None = None) -> list[Entry]:
        """The library of one key: `key_id` None is the first (or only) key's."""
        with self._lock:
            entries = [
                {**entry, "upload_count": self._upload_counts.get((entry["album"], entry["sort"]), 1)}
                for entry in self._recordings
                if entry.get("key_id") == key_id
            ]
        return sorted(entries, key=_library_order)

    def outbox(self) -> dict[str, list[Entry]]:
        with self._lock:
            return {"sms": [dict(e) for e in self._sms], "calls": [dict(e) for e in self._calls]}

    # Actions

    def store_upload(self, request: UploadRequest, key_id: str | None = None) -> Entry:
        """Move the received file into the key's library; returns the new entry."""
        folder = ("library",) if key_id is None else ("library", key_id)
        relative = Path(*folder, str(request.album), f"{request.sort}.{request.format}")
        target = self.data_dir / relative
        with self._lock:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(request.file.path, target)
            entry = self._new_recording(
                kind="upload",
                album=request.album,
                sort=request.sort,
                display_name=request.display_name,
                filename=request.file.filename,
                path=relative.as_posix(),
                size=request.file.size,
                sha256=request.file.sha256,
                format=request.format,
                key_id=key_id,
            )
            self._save()
            return dict(entry)

    def add_tts(self, request: TtsRequest, key_id: str | None = None) -> Entry:
        with self._lock:
            entry = self._new_recording(kind="tts", album=request.album, sort=request.sort,
                                        text=request.text, key_id=key_id)
            self._save()
            return dict(entry)

    def record_sms(self, request: SmsRequest) -> Entry:
        area_code = request.sender[:3]
        entry = {
            "reference_id": _new_reference(_SMS_REFERENCE_LENGTH),
            "from": request.sender,
            "to": request.to,
            "body": request.body,
            "did_type": "TF" if area_code in _TOLL_FREE_AREA_CODES else "TN",
            "received_at": _now(),
        }
        with self._lock:
            self._sms.append(entry)
            self._save()
            return dict(entry)

    def record_call(self, request: CallRequest) -> Entry:
        entry = {
            "reference_id": _new_reference(_CALL_REFERENCE_LENGTH),
            "cid": request.cid,
            "to": request.to,
            "type": request.type,
            "sfile_id": request.sfile_id,
            "route_number": request.route_number,
            "branch_number": request.branch_number,
            "received_at": _now(),
        }
        with self._lock:
            self._calls.append(entry)
            self._save()
            return dict(entry)

    def reset(self) -> None:
        """Forget every recording, message and call (recording ids keep counting up)."""
        with self._lock:
            shutil.rmtree(self.library_dir, ignore_errors=True)
            self.library_dir.mkdir()
            self._recordings.clear()
            self._upload_counts.clear()
            self._sms.clear()
            self._calls.clear()
            self._save()

    # Inside the lock

    def _new_recording(self, *, kind: str, album: int, sort: int | None, key_id: str | None = None,
                       **details: Any) -> Entry:
        entry: Entry = {
            "recording_id": str(self._next_recording_id),
            "kind": kind,
            "album": album,
            "sort": sort,
            "display_name": None,
            "text": None,
            "filename": None,
            "path": None,
            "size": None,
            "sha256": None,
            "format": None,
            "received_at": _now(),
            **details,
        }
        if key_id is not None:  # absent for the first key: its entries look as they always did
            entry["key_id"] = key_id
        self._next_recording_id += 1
        if sort is not None:
            self._drop_recording_at(album, sort, keep_path=entry["path"], key_id=key_id)
            self._upload_counts[(album, sort)] = self._upload_counts.get((album, sort), 0) + 1
        self._recordings.append(entry)
        return entry

    def _drop_recording_at(self, album: int, sort: int, *, keep_path: str | None,
                           key_id: str | None = None) -> None:
        for old in [e for e in self._recordings if e["album"] == album and e["sort"] == sort
                    and e.get("key_id") == key_id]:
            self._recordings.remove(old)
            # A wav replaced by an mp3 (or by a TTS) leaves a file nobody refers to.
            if old["path"] is not None and old["path"] != keep_path:
                (self.data_dir / old["path"]).unlink(missing_ok=True)

    def _save(self) -> None:
        data = {
            "version": _STATE_VERSION,
            "next_recording_id": self._next_recording_id,
            "recordings": self._recordings,
            "upload_counts": [
                {"album": album, "sort": sort, "count": count}
                for (album, sort), count in self._upload_counts.items()
            ],
            "sms": self._sms,
            "calls": self._calls,
        }
        with atomic_write(self.data_dir / STATE_FILE, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False, indent=1)

    def _load(self) -> None:
        path = self.data_dir / STATE_FILE
        reading = read_json_file(path, open_levels=2)
        if not reading.exists:
            return
        data = reading.value if isinstance(reading.value, dict) else {}
        problem = reading.problem
        if problem is None and not isinstance(reading.value, dict):
            problem = "it does not hold the sandbox's state"
        counts = {}
        kept = {}
        for name, check in (("recordings", _recording_or_none), ("sms", _sms_or_none),
                            ("calls", _call_or_none), ("upload_counts", _count_or_none)):
            items = data.get(name, [])
            if not isinstance(items, list):
                items = []
                problem = problem or f"its list of {name.replace('_', ' ')} is damaged"
            good = [entry for entry in map(check, items) if entry is not None]
            kept[name] = good
            counts[name] = (len(good), len(items))
        recordings = _one_per_place(kept["recordings"])
        counts["recordings"] = (len(recordings), counts["recordings"][1])
        self._recordings = recordings
        self._upload_counts = {(c["album"], c["sort"]): c["count"] for c in kept["upload_counts"]}
        self._sms = kept["sms"]
        self._calls = kept["calls"]
        highest = max((int(e["recording_id"]) for e in recordings), default=_FIRST_RECORDING_ID - 1)
        next_id = data.get("next_recording_id", _FIRST_RECORDING_ID)
        if not _is_int(next_id):
            next_id = _FIRST_RECORDING_ID
            problem = problem or "the next recording id in it is not a number"
        # Ids never go back: a recording id handed out once means one recording.
        self._next_recording_id = max(next_id, highest + 1)
        lost = any(good != total for good, total in counts.values())
        if problem is None and not lost:
            return
        if problem is None:
            problem = "some entries in it hold values of the wrong kind"
        kept_as = set_aside(path, keep=True)  # then replaced by what was saved
        saved = (f"{_of(counts['recordings'], 'library entry', 'library entries')}, "
                 f"{_of(counts['sms'], 'SMS', 'SMS')} and {_of(counts['calls'], 'call', 'calls')}")
        self.damage = DamagedFile(path=path, what="The sandbox's practice data",
                                  problem=problem, saved=saved, kept_as=kept_as)
        log.warning("Sandbox state %s could not be read (%s); kept it as %s; saved %s.",
                    path, problem, kept_as, saved)
        if kept_as is None:
            return  # not copied: leave it for a look (the next change writes over it)
        try:
            self._save()
        except OSError as err:
            log.warning("the salvaged sandbox state could not be written: %s", err)


def _of(counts: tuple[int, int], one: str, many: str) -> str:
    good, total = counts
    return f"{good:,} of {plural(total, one, many)}"


_LIBRARY_PATH = re.compile(r"library/(k[0-9a-f]{16}/)?\d+/\d+\.(wav|mp3)")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _recording_or_none(entry: Any) -> Entry | None:
    """A library entry as saved, or None when it is not one."""
    if not isinstance(entry, dict):
        return None
    rid, path = entry.get("recording_id"), entry.get("path")
    if not (isinstance(rid, str) and rid.isascii() and rid.isdigit() and len(rid) < 12):
        return None
    if entry.get("kind") not in ("upload", "tts") or not _is_int(entry.get("album")):
        return None
    if not (entry.get("sort") is None or _is_int(entry.get("sort"))):
        return None
    # The path is deleted when the entry is replaced: never one outside the library.
    if not (path is None or isinstance(path, str) and _LIBRARY_PATH.fullmatch(path)):
        return None
    if not isinstance(entry.get("received_at"), str):
        return None
    key_id = entry.get("key_id")
    if not (key_id is None or isinstance(key_id, str) and re.fullmatch(r"k[0-9a-f]{16}", key_id)):
        return None
    template = dict.fromkeys(("display_name", "text", "filename", "size", "sha256", "format"))
    return {**template, **entry}


def _one_per_place(recordings: list[Entry]) -> list[Entry]:
    seen_ids: set[str] = set()
    seen_places: set[tuple[str | None, int, int]] = set()
    result = []
    for entry in reversed(recordings):  # the latest wins, as a later upload does
        place = (entry.get("key_id"), entry["album"], entry["sort"])  # each key's library
        if entry["recording_id"] in seen_ids or (entry["sort"] is not None and place in seen_places):
            continue
        seen_ids.add(entry["recording_id"])
        seen_places.add(place)
        result.append(entry)
    return result[::-1]


def _texts(entry: Any, keys: tuple[str, ...]) -> bool:
    return isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in keys)


def _sms_or_none(entry: Any) -> Entry | None:
    keys = ("reference_id", "from", "to", "body", "did_type", "received_at")
    return dict(entry) if _texts(entry, keys) else None


def _call_or_none(entry: Any) -> Entry | None:
    if not _texts(entry, ("reference_id", "cid", "to", "type", "received_at")):
        return None
    return {"sfile_id": None, "route_number": None, "branch_number": None, **entry}


def _count_or_none(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict):
        return None
    if not all(_is_int(entry.get(k)) for k in ("album", "sort", "count")):
        return None
    return {"album": entry["album"], "sort": entry["sort"], "count": entry["count"]}


def _library_order(entry: Entry) -> tuple[int, bool, int, int]:
    sort = entry["sort"]
    return entry["album"], sort is None, sort or 0, int(entry["recording_id"])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_reference(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
