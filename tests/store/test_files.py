"""atomic_write: the old file survives a failed write."""
from __future__ import annotations

import pytest

from console.store.files import atomic_write


def test_a_failed_write_leaves_the_old_file_and_no_leftovers(tmp_path):
    (tmp_path / "config").mkdir()
    target = tmp_path / "config" / "profiles.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w", encoding="utf-8") as handle:
            handle.write("half of the new")
            raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in target.parent.iterdir()] == ["profiles.json"]


def test_a_successful_write_replaces_the_file_and_creates_folders(tmp_path):
    target = tmp_path / "new" / "queue.json"
    with atomic_write(target) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["queue.json"]
