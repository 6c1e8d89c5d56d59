"""Step 5: History entries found by number and time.

The per-person caps of the calling rules ask, before each broadcast row and
each one-off SMS, what went to one number in a rolling period
(`recent_sends_to`); without this index that reads every entry of the period.
"""
from __future__ import annotations

SQLITE = """
CREATE INDEX IF NOT EXISTS entries_recipient_created ON entries (recipient, created_at);
"""

POSTGRES = """
CREATE INDEX IF NOT EXISTS entries_recipient_created ON entries (recipient, created_at);
"""
