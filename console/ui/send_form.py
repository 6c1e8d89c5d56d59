"""The form of a tab that sends: each field checked once, its sentence under it.

One validation pass gives the values and the problems (`Form`); the flow
(console/ui/send_flow.py) focuses the first problem and sends only a form
without any.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from console.domain import validation
from console.domain.phone import InvalidPhoneError, normalize_phone
from console.ui.widgets import FieldErrorLabel

# -- validation: one shape for every tab ---------------------------------------

@dataclass(frozen=True)
class FieldProblem:
    """A value the user must correct: the field to focus, its label, the sentence."""

    widget: QWidget
    field: str
    text: str


@dataclass
class Form:
    """The values and problems of one validation pass over a tab's fields.

    Each check shows its sentence under the field (or clears it), so the form
    and the problems list never disagree.
    """

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)

    def check(self, key: str, widget: QWidget, error: FieldErrorLabel,
              parse: Callable[[], Any]) -> Any:
        try:
            value = parse()
        except validation.FieldError as err:
            self.fail(widget, error, err.field, str(err))
            return None
        error.show_error(None)
        self.values[key] = value
        return value

    def phone(self, key: str, edit: QLineEdit, error: FieldErrorLabel, field_name: str,
              empty_hint: str) -> str | None:
        """The phone check, written once: empty, then normalize_phone's reasons."""
        def parse() -> str:
            if not edit.text().strip():
                raise validation.FieldError(field_name, f"{field_name}: {empty_hint}")
            return normalize_phone(edit.text(), field=field_name)
        number: str | None = self.check(key, edit, error, parse)
        return number

    def fail(self, widget: QWidget, error: FieldErrorLabel, field_name: str, text: str) -> None:
        error.show_error(text)
        self.problems.append(FieldProblem(widget, field_name, text))

    @property
    def ok(self) -> bool:
        return not self.problems


def check_phone_as_typed(edit: QLineEdit, error: FieldErrorLabel, field_name: str) -> None:
    """Once a phone field shows a problem, re-check it as the user corrects it,
    and check it when the user leaves the field."""

    def check() -> None:
        text = edit.text()
        if not text.strip():
            error.show_error(None)
            return
        try:
            normalize_phone(text, field=field_name)
        except InvalidPhoneError as err:
            error.show_error(str(err))
        else:
            error.show_error(None)

    def recheck(_text: str) -> None:
        if error.isVisible():
            check()

    edit.textEdited.connect(recheck)
    edit.editingFinished.connect(check)


def own_number(combo: QComboBox, field_name: str) -> str:
    """The profile's own number chosen in `combo` (From, Caller id), or a
    FieldError when the profile has none yet."""
    number = combo.currentData()
    if not number:
        raise validation.FieldError(
            field_name, f"{field_name}: this profile has no numbers of its own yet. "
                        "Add one in Profile ▸ Manage profiles.")
    return str(number)
