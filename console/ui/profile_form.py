"""The Profiles dialog's form: name, base URL, own numbers, default album, account
key and proxy, what each must hold, and each field's error under it."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from console.domain.phone import format_phone
from console.store.profiles import Profile
from console.ui.connection_panel import ProxyFields
from console.ui.profile_fields import duplicate_name_problem, field_of, normalize_base_url
from console.ui.profile_numbers import NumbersEditor
from console.ui.widgets import FieldErrorLabel, add_row

# The fields in the order the focus goes to the first one with an error.
FIELD_KEYS = ("name", "url", "numbers", "key", "proxy")


class ProfileForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.url_note_text = ""  # what the last read changed in the address; not an error
        self.name_edit = QLineEdit()
        self.name_error = FieldErrorLabel("Name")
        self.url_edit = QLineEdit()
        self.url_error = FieldErrorLabel("Base URL")
        self.url_note = QLabel()
        self.url_note.setWordWrap(True)
        self.url_note.setAccessibleName("Base URL note")
        self.url_note.hide()
        self.numbers = NumbersEditor()
        self.album_spin = QSpinBox()
        self.album_spin.setRange(1, 9999)
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste the account key from Voitex")
        self.key_status = QLabel()
        self.key_status.setAccessibleName("Key status")
        self.key_error = FieldErrorLabel("Account key")
        self.switch_check = QCheckBox("Swi&tch to it now")
        self.switch_check.setAccessibleName("Switch to the new account after saving")
        self.switch_check.setToolTip("Work on the new account as soon as it is saved. "
                                     "Messages and calls then reach real customers.")
        self.switch_check.setChecked(True)
        self.switch_check.hide()

        form = QFormLayout()
        add_row(form, "&Name:", self.name_edit, "Profile name", self.name_error,
                "A name you recognise, for example Main office.")
        add_row(form, "Base &URL:", self.url_edit, "Base URL", self.url_error,
                "Where the Voitex API is. Leave the default unless Voitex told you otherwise.")
        form.addRow("", self.url_note)
        add_row(form, "&Own numbers:", self.numbers.table, "Own numbers",
                help_text="The account's hotline numbers, used as SMS sender and caller id.")
        form.addRow("", self.numbers.buttons)
        form.addRow("", self.numbers.error)
        add_row(form, "Default &album:", self.album_spin, "Default album",
                help_text="The album new recordings go into unless you choose another.")
        add_row(form, "Account &key:", self.key_edit, "Account key", self.key_error,
                "Kept in this computer's password keyring, never in a file.")
        form.addRow("", self.key_status)
        self.proxy_fields = ProxyFields()
        self.proxy_fields.add_to(form)
        form.addRow("", self.switch_check)
        self.setLayout(form)

    def show_profile(self, profile: Profile, *, proxy_user: str, key_status: str) -> None:
        """Fill the fields from `profile`, with no errors shown and the key field empty."""
        new = not profile.id and not profile.is_sandbox
        self.switch_check.setVisible(new)
        self.switch_check.setChecked(True)
        self.name_edit.setText(profile.name)
        self.url_edit.setText(profile.base_url or "")
        self.numbers.show([(format_phone(own.number), own.label) for own in profile.numbers])
        self.album_spin.setValue(max(1, int(profile.default_album or 1)))
        self.key_edit.clear()
        self.proxy_fields.show(profile, proxy_user)
        self.show_field_errors({})
        self.url_note.hide()
        self.key_status.setText(key_status)

    def read(self, base: Profile | None, others: list[Profile]) -> tuple[Profile | None, dict[str, str]]:
        """The profile the fields hold (over `base`, the one being edited), or None
        and the errors (each shown under its field) by field key."""
        errors: dict[str, str] = {}
        numbers, bad_row = self.numbers.read()
        if bad_row:
            errors["numbers"] = bad_row
        base_url, url_note = normalize_base_url(self.url_edit.text())
        if url_note:
            self.url_edit.setText(base_url)
        profile = Profile(id=base.id if base else "", name=self.name_edit.text().strip(),
                          base_url=base_url, numbers=numbers,
                          default_album=self.album_spin.value(), is_sandbox=False,
                          proxy_mode=self.proxy_fields.mode,
                          proxy_address=self.proxy_fields.address_edit.text().strip())
        for message in profile.validate():
            errors.setdefault(field_of(message), message)
        duplicate = duplicate_name_problem(profile.name, profile.id, others)
        if duplicate:
            errors.setdefault("name", duplicate)
        if not profile.id and not self.key_edit.text().strip():
            errors["key"] = "Account key: paste the key Voitex gave you for this account."
        self.show_field_errors(errors)
        self.url_note_text = url_note or ""
        self.url_note.setText(self.url_note_text)
        self.url_note.setVisible(bool(url_note))
        return (None if errors else profile), errors

    def show_field_errors(self, errors: dict[str, str]) -> None:
        """Show each error under its field (clear the others) and focus the first."""
        labels = {"name": self.name_error, "url": self.url_error, "numbers": self.numbers.error,
                  "key": self.key_error, "proxy": self.proxy_fields.address_error}
        for key, label in labels.items():
            label.show_error(errors.get(key))
        focus = {"name": self.name_edit, "url": self.url_edit, "numbers": self.numbers.table,
                 "key": self.key_edit, "proxy": self.proxy_fields.address_edit}
        first = next((key for key in FIELD_KEYS if key in errors), None)
        if first is not None:
            focus[first].setFocus()
