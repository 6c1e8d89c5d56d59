"""The bulk upload queue, in parts: `status` (what a row may still do), `rules`
(pure numbering and problem rules), `items` (a row), `rows` (the row list),
`runner` and `attempt` (the run, one upload), `progress` (its figures),
`persistence` (the store's side), `journal_link` (History calls as futures),
`events` (what the parts need from their host) and `queue` (`UploadQueue`, the
Qt adapter over them). Rows persist through `console.store.upload_store`."""
from console.jobs.uploads.items import QueueItem, QueueProgress
from console.jobs.uploads.queue import (
    CONCURRENCY_MAX,
    NUMBER_BY_NAME,
    NUMBER_BY_ORDER,
    UNSURE_REASON,
    UploadQueue,
)
from console.jobs.uploads.status import Status

INSPECTING = Status.INSPECTING
REJECTED = Status.REJECTED
QUEUED = Status.QUEUED
UPLOADING = Status.UPLOADING
SENT = Status.SENT
DONE = Status.DONE
FAILED = Status.FAILED
CANCELLED = Status.CANCELLED
UNSURE = Status.UNSURE
STATUSES = tuple(Status)

__all__ = [
    "CONCURRENCY_MAX", "NUMBER_BY_NAME", "NUMBER_BY_ORDER", "UNSURE_REASON", "QueueItem",
    "QueueProgress", "Status", "UploadQueue", "INSPECTING", "REJECTED", "QUEUED", "UPLOADING",
    "SENT", "DONE", "FAILED", "CANCELLED", "UNSURE", "STATUSES",
]
