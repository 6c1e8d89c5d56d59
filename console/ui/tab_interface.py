"""What the main window knows about a tab: how to build it and what it can do.

Tabs are built on first visit, so the window holds a `TabSpec` per tab, not
the tab. What a tab can do is declared in its spec (`keeps_draft`) and
checked against a Protocol when the tab is built, instead of probing the
widget with hasattr() each time.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from PySide6.QtWidgets import QWidget


@runtime_checkable
class DraftTab(Protocol):
    """A tab whose half-typed input survives closing the console."""

    def draft(self) -> dict[str, Any]: ...

    def restore_draft(self, draft: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class TabSpec:
    build: Callable[[], QWidget]
    keeps_draft: bool = False  # the built widget is a DraftTab


class TabCapabilityError(TypeError):
    """A tab was declared with a capability its class does not have (a bug)."""


def check_capabilities(key: str, spec: TabSpec, widget: QWidget) -> None:
    if spec.keeps_draft and not isinstance(widget, DraftTab):
        raise TabCapabilityError(
            f"the {key!r} tab is declared to keep a draft but {type(widget).__name__} "
            "has no draft()/restore_draft()")


TabT = TypeVar("TabT", bound=QWidget)


def as_tab(key: str, widget: QWidget, kind: type[TabT]) -> TabT:
    """`widget` as the tab class `kind` the caller needs (a wrong spec is a bug)."""
    if not isinstance(widget, kind):
        raise TabCapabilityError(f"the {key!r} tab is a {type(widget).__name__}, "
                                 f"not a {kind.__name__}")
    return widget
