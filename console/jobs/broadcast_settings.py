"""A broadcast run's stored settings as the runners use them: its window, quiet mode, pace, office zone.

Read by the desk's runner (broadcast_runner.py) and by an office participant
(broadcast_participant.py) alike."""
from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.domain.broadcast.quiet_hours import Window, parse_clock_time
from console.store.broadcasts import RunSettings


def run_settings(settings: RunSettings) -> tuple[Window, str, float, int, tzinfo]:
    """(window, quiet mode, per second, per minute, office zone) from a run's stored settings."""
    window = Window(parse_clock_time(settings.get("window_opens", "08:00"), "Opens"),
                    parse_clock_time(settings.get("window_closes", "21:00"), "Closes"))
    zone: tzinfo
    try:
        zone = ZoneInfo(settings["office_zone"]) if settings.get("office_zone") else _local_zone()
    except (ZoneInfoNotFoundError, ValueError):
        zone = _local_zone()
    return (window, settings.get("quiet_mode", "wait"), float(settings.get("per_second", 1)),
            int(settings.get("per_minute", 60)), zone)


def _local_zone() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC
