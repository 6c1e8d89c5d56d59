"""The real `voitex-console broadcast …` command, with the calling rules' clock at noon in New York.

    python -m tests.office.runner_child broadcast run ID --database URL --base-url URL ...

Everything is the command's own (arguments, keyring or VOITEX_AUTH_KEY, signal
handlers, exit codes); only the participant's wall clock is fixed, so that the
federal calling hours hold whatever time the test runs at.
"""
from __future__ import annotations

import sys
from datetime import UTC, datetime

import console.jobs.broadcast_participant as participant_module
from console.cli import main

NOON_NEW_YORK = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
_original = participant_module.OfficeParticipant.__init__


def _at_noon(self, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("clock", lambda: NOON_NEW_YORK)
    _original(self, **kwargs)


participant_module.OfficeParticipant.__init__ = _at_noon  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
