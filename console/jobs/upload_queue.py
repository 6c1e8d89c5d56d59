"""Kept so older imports work: the queue now lives in `console.jobs.uploads`."""
from console.jobs.uploads import *  # noqa: F401,F403
from console.jobs.uploads import __all__  # noqa: F401
