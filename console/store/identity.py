"""Who writes an entry: the desk (a name for this computer) and the operator (the OS user).

Every History entry records both, so an office sharing one database can tell
which desk and which person sent what. A desk's name defaults to the machine's
name and can be changed in File ▸ Office database…
"""
from __future__ import annotations

import getpass
import platform
import socket

NAME_MAX_CHARS = 60


def machine_name() -> str:
    """This computer's name without its domain ("FRONT-DESK", not "front-desk.office.lan")."""
    try:
        name = socket.gethostname()
    except OSError:
        name = ""
    name = (name or platform.node() or "").split(".")[0].strip()
    return name[:NAME_MAX_CHARS] or "This computer"


def operator_name() -> str:
    """The signed-in OS user, or "" when the system cannot say (a service without a user)."""
    try:
        return getpass.getuser()[:NAME_MAX_CHARS]
    except (OSError, KeyError, ImportError):  # no USER/LOGNAME and no passwd entry
        return ""


def clean_desk_name(text: str) -> str:
    """A desk name as stored: one line, trimmed, at most NAME_MAX_CHARS."""
    return " ".join(str(text).split())[:NAME_MAX_CHARS]
