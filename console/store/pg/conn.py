"""What a job on the office database is: a function of one connection (in its transaction)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import psycopg

T = TypeVar("T")
Conn = psycopg.Connection[tuple[Any, ...]]
Job = Callable[[Conn], T]
