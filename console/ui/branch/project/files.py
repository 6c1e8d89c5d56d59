"""New, Open, Save and the two exports of the project editor, with every failure
told in words in the editor's result line (and the message log)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QWidget

from console.branch.findings import Finding
from console.branch.project.exporter import (
    ExportError,
    endpoint_file_name,
    export_endpoint,
    slug,
    tests_file_name,
)
from console.branch.project.model import Place, Project, new_project
from console.branch.project.project_file import (
    MAX_FILE_BYTES,
    SCHEMA,
    SUFFIX,
    ProjectFormatError,
    parse_project_bytes,
    project_to_text,
)
from console.branch.project.tests_export import export_tests
from console.store.files import atomic_write
from console.ui.branch.designer import DesignerPanel
from console.ui.branch.documents import Documents
from console.ui.widgets import Confirm, ResultLabel, default_confirm

if TYPE_CHECKING:
    from console.ui.messages import MessageBridge

OPEN_FILTER = "IVR projects (*.voitexivr);;Response designs (*.json);;All files (*)"
PROJECT_FILTER = "IVR projects (*.voitexivr)"
PYTHON_FILTER = "Python files (*.py)"


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that a crash half-way leaves the old file whole;
    a missing folder (the user chose it) is an error to report."""
    with atomic_write(path, "w", make_folders=False, encoding="utf-8", newline="\n") as stream:
        stream.write(text)


class FilesHost(Protocol):
    """What New, Open, Save and the exports work on: the project editor (`ProjectEditor`)."""

    project: Project
    path: Path | None
    clean_text: str
    findings: tuple[Finding, ...]
    status: ResultLabel
    designer: DesignerPanel

    @property
    def project_changed(self) -> SignalInstance: ...
    def is_modified(self) -> bool: ...
    def set_project(self, project: Project, *, path: Path | None = None, clean: bool = True,
                    place: Place | None = None) -> None: ...


class ProjectFiles:
    def __init__(self, editor: FilesHost, *, dialog_parent: QWidget,
                 messages: MessageBridge | None = None, confirm: Confirm = default_confirm) -> None:
        self.editor = editor
        self.documents = Documents(dialog_parent, what="IVR project", status=editor.status,
                                   messages=messages, confirm=confirm)

    def tell(self, kind: str, text: str) -> None:
        self.editor.status.show()
        self.documents.tell(kind, text)

    def may_discard(self) -> bool:
        return self.documents.may_discard(self.editor.is_modified())

    # -- new and open -------------------------------------------------------------
    def on_new(self) -> None:
        if self.may_discard():
            self.editor.set_project(new_project())
            self.editor.status.hide()

    def on_open(self) -> None:
        if not self.may_discard():
            return
        path = self.documents.ask_open_path("Open an IVR project", OPEN_FILTER)
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ProjectFormatError(f"The file is larger than {MAX_FILE_BYTES:,} bytes; "
                                         "a project file is much smaller. Is it the right file?")
            opened = parse_project_bytes(path.read_bytes())
        except OSError as error:
            self.tell("error", f"Could not open {path.name}: {error.strerror or error}.")
            return False
        except ProjectFormatError as error:
            self.tell("error", f"Could not open {path.name}. {error.message}")
            return False
        self.documents.last_dir = str(path.parent)
        # An older file, or a single design, is never overwritten in the new schema:
        # Save asks where to put the project.
        keep_path = opened.schema == SCHEMA and path.suffix.lower() == SUFFIX
        self.editor.set_project(opened.project, path=path if keep_path else None,
                                clean=keep_path)
        if opened.notes:
            more = (f" ({len(opened.notes) - 2} more notes like these.)"
                    if len(opened.notes) > 2 else "")
            self.tell("warning", f"Opened {path.name}. " + " ".join(opened.notes[:2]) + more)
        else:
            self.tell("ok", f"Opened {path.name}.")
        return True

    # -- saving -----------------------------------------------------------------------
    def on_save(self) -> None:
        if self.editor.path is not None:
            self.save_to(self.editor.path)
        else:
            self.on_save_as()

    def on_save_as(self) -> None:
        suggested = self.editor.path.name if self.editor.path else \
            f"{slug(self.editor.project.name)}{SUFFIX}"
        path = self.documents.ask_save_path("Save the IVR project", suggested,
                                            filters=PROJECT_FILTER, suffix=SUFFIX)
        if path is not None:
            self.save_to(path)

    def save_to(self, path: Path) -> bool:
        text = project_to_text(self.editor.project)
        try:
            write_atomically(path, text)
        except OSError as error:
            self.tell("error", f"Could not save the project to {path}: "
                               f"{error.strerror or error}. It is still here, unsaved.")
            return False
        self.documents.last_dir = str(path.parent)
        self.editor.path = path
        self.editor.clean_text = text
        self.editor.designer.set_document_name(path.name, project=True)
        errors = sum(f.severity == "error" for f in self.editor.findings)
        note = (f" It still has {errors} problem{'s' if errors != 1 else ''}: see the project "
                "check." if errors else "")
        self.tell("ok", f"Saved the project to {path.name}.{note}")
        self.editor.project_changed.emit()
        return True

    # -- exports --------------------------------------------------------------------------
    def on_export_endpoint(self) -> None:
        def made() -> tuple[str, str]:
            export = export_endpoint(self.editor.project)
            return export.text, f"the endpoint (version {export.version})"

        self._export(made, "Export the endpoint", endpoint_file_name(self.editor.project),
                     "Run it with: python3 {name} --port 8080")

    def on_export_tests(self) -> None:
        self._export(lambda: (export_tests(self.editor.project), "the saved walks as tests"),
                     "Export the walks as tests", tests_file_name(self.editor.project),
                     "Run them with: python3 {name} --endpoint http://127.0.0.1:8080/")

    def _export(self, make: Callable[[], tuple[str, str]], title: str, suggested: str,
                then: str) -> None:
        """Make the file (its text and what it is), ask where, write it and say how
        to run it (`then`, with `{name}` for the file's name)."""
        try:
            text, what = make()
        except ExportError as error:
            self.tell("error", error.message)
            return
        path = self.documents.ask_save_path(title, suggested, filters=PYTHON_FILTER, suffix=".py")
        if path is not None:
            self.write_export(path, text, what, then.format(name=path.name))

    def write_export(self, path: Path, text: str, what: str, then: str) -> bool:
        try:
            write_atomically(path, text)
        except OSError as error:
            self.tell("error", f"Could not write {path}: {error.strerror or error}.")
            return False
        self.documents.last_dir = str(path.parent)
        self.tell("ok", f"Exported {what} to {path.name}. {then}")
        return True
