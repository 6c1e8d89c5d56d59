"""What the Profiles dialog checks in its fields, without Qt: the base URL's
trailing /v1, a name another profile has, which field a store's reason is about."""
from __future__ import annotations

from console.store.profiles import Profile


def normalize_base_url(url: str) -> tuple[str, str | None]:
    """`url` without a trailing API version, and a note for the user when one was removed.

    The console adds /v1 to every request path itself (console/api/wire.py), so
    an address typed as https://api.voitex.com/v1 would send requests to
    /v1/v1/... and every reply would be unreadable.
    """
    text = url.strip()
    trimmed = text.rstrip("/")
    if trimmed.lower().endswith("/v1"):
        base = trimmed[: -len("/v1")].rstrip("/")
        return base, (f"Removed \u201c/v1\u201d from the end: the console adds it to each "
                      f"request itself. The address is now {base}.")
    return text, None


def duplicate_name_problem(name: str, profile_id: str, profiles: list[Profile]) -> str | None:
    """Why `name` cannot be used (another profile has it, in any letter case), or None."""
    folded = name.strip().casefold()
    for other in profiles:
        if other.id != profile_id and other.name.strip().casefold() == folded and folded:
            return (f"Name: another profile is already called \u201c{other.name}\u201d. "
                    "Choose a different name.")
    return None


def field_of(message: str) -> str:
    """Which field a store message ("Name: ...", "Base URL: ...") is about."""
    field = message.split(":", 1)[0].strip().lower()
    return {"name": "name", "base url": "url", "numbers": "numbers",
            "default album": "name", "proxy address": "proxy", "proxy": "proxy"}.get(field, "name")
