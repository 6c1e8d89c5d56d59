# Types for the parts of qasync (0.27, 0.28) the console uses; qasync ships none.
# mypy reads them through pyproject's `mypy_path`.
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from PySide6.QtCore import QCoreApplication

_P = ParamSpec("_P")
_R = TypeVar("_R")

# The slot runs the coroutine function as a task on the running loop and returns the task;
# `args` are Qt's slot argument types (`@asyncSlot(int)`).
def asyncSlot(
    *args: type, **kwargs: Any
) -> Callable[[Callable[_P, Coroutine[Any, Any, _R]]], Callable[_P, asyncio.Task[_R]]]: ...

class QEventLoop(asyncio.SelectorEventLoop):
    def __init__(self, app: QCoreApplication | None = None, set_running_loop: bool = False,
                 already_running: bool = False) -> None: ...
    def __enter__(self) -> QEventLoop: ...
    def __exit__(self, *exc: object) -> None: ...
