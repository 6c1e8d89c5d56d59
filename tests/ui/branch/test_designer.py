import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

import pytest

from console.branch.schema import Design, FilePlay, TtsPlay, parse_design
from console.ui.branch.designer import DesignerPanel
from console.ui.branch.models import PlayModel
from tests.branch.fake_endpoint import DOC_RESPONSE_SAMPLE
from tests.ui.branch.editing import choose_kind, open_editor, type_into_cell

EXPECTED = """{
  "goto": "150",
  "play": [
    {
      "type": "file",
      "album": "10",
      "sort": "25"
    },
    {
      "type": "tts",
      "text": "Welcome to Voitex"
    }
  ],
  "inputs": {
    "1": "100"
  },
  "variables": {
    "caller_type": "vip"
  }
}"""


class ConfirmRecorder:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, box: QMessageBox) -> bool:
        self.asked.append(box.text())
        return self.answer


@pytest.fixture
def designer(qtbot):
    confirm = ConfirmRecorder(True)
    panel = DesignerPanel(confirm=confirm)
    panel.confirm_recorder = confirm
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def build_through_the_form(qtbot, designer):
    qtbot.keyClicks(designer.goto_edit, "150")
    play = designer.play_section
    qtbot.mouseClick(play.add_buttons[0], Qt.MouseButton.LeftButton)  # Add file
    type_into_cell(qtbot, play.table, 0, PlayModel.ALBUM, "10")
    type_into_cell(qtbot, play.table, 0, PlayModel.SORT, "25")
    qtbot.mouseClick(play.add_buttons[1], Qt.MouseButton.LeftButton)  # Add text
    type_into_cell(qtbot, play.table, 1, PlayModel.TEXT, "Welcome to Voitex")
    keys = designer.keys_section
    qtbot.mouseClick(keys.add_buttons[0], Qt.MouseButton.LeftButton)  # Add key: offers "1"
    type_into_cell(qtbot, keys.table, 0, 1, "100")
    variables = designer.variables_section
    qtbot.mouseClick(variables.add_buttons[0], Qt.MouseButton.LeftButton)
    type_into_cell(qtbot, variables.table, 0, 0, "caller_type")
    type_into_cell(qtbot, variables.table, 0, 1, "vip")


def test_a_response_built_through_the_form_shows_as_exact_json(qtbot, designer):
    build_through_the_form(qtbot, designer)
    assert designer.preview.toPlainText() == EXPECTED
    assert designer.design() == Design(goto="150", play=(FilePlay("10", "25"),
                                                        TtsPlay("Welcome to Voitex")),
                                       inputs=(("1", "100"),), variables=(("caller_type", "vip"),))
    # Only the note about the two editions of the documentation remains.
    assert [f.code for f in designer.findings()] == ["goto.editions_differ"]
    assert designer.summary.text() == "1 note"


def test_the_preview_follows_each_keystroke_in_a_cell(qtbot, designer):
    qtbot.mouseClick(designer.play_section.add_buttons[1], Qt.MouseButton.LeftButton)
    editor = type_into_cell(qtbot, designer.play_section.table, 0, PlayModel.TEXT, "Hel",
                            finish=False)
    assert '"text": "Hel"' in designer.preview.toPlainText()
    editor.setCursorPosition(1)
    qtbot.keyClicks(editor, "X")
    assert '"text": "HXel"' in designer.preview.toPlainText()
    assert editor.text() == "HXel"  # typing mid-word keeps the cursor where it is
    assert editor.cursorPosition() == 2


def test_compact_preview_and_copy(qtbot, designer):
    build_through_the_form(qtbot, designer)
    designer.compact_check.setChecked(True)
    compact = designer.preview.toPlainText()
    assert compact == json.dumps(json.loads(EXPECTED), separators=(",", ":"))
    designer.copy_json()
    assert QGuiApplication.clipboard().text() == compact
    assert "Copied the response JSON (compact)" in designer.status.text()
    designer.compact_check.setChecked(False)
    designer.copy_json()
    assert QGuiApplication.clipboard().text() == EXPECTED


def test_findings_show_next_to_the_field_and_in_the_list(qtbot, designer):
    qtbot.keyClicks(designer.goto_edit, "15a")
    assert designer.goto_edit.property("finding") == "error"
    assert designer.goto_findings.isVisibleTo(designer)
    assert "“15a” is not a branch number" in designer.goto_findings.text()
    messages = [designer.findings_list.item(i).text()
                for i in range(designer.findings_list.count())]
    assert any("“15a” is not a branch number" in m for m in messages)

    keys = designer.keys_section
    qtbot.mouseClick(keys.add_buttons[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(keys.add_buttons[0], Qt.MouseButton.LeftButton)
    type_into_cell(qtbot, keys.table, 1, 0, "1")
    model = designer.keys_model
    tooltip = model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole)
    assert "Key 1 is used twice (rows 1 and 2)" in tooltip
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None
    # Both rows lack a branch, key 1 is twice, nothing plays: the first problem
    # shows under the table, and the rest are counted.
    assert keys.findings.full_text() == ("Problem: Key row 1 (key 1) has no branch to go to. "
                                         "Enter a branch number.  (+3 more)")
    assert "Key 1 is used twice" in keys.findings.accessibleDescription()
    assert "Keys only work while something plays" in keys.findings.accessibleDescription()
    assert "Keys only work while something plays" in keys.findings.toolTip()

    designer.goto_edit.clear()
    type_into_cell(qtbot, keys.table, 1, 0, "2")
    assert designer.goto_edit.property("finding") == ""
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None


def test_activating_a_finding_goes_to_its_cell(qtbot, designer):
    designer.set_design(Design(play=(TtsPlay("a"), FilePlay("", "3"))))
    item = next(designer.findings_list.item(i) for i in range(designer.findings_list.count())
                if "no album" in designer.findings_list.item(i).text())
    designer.findings_list.itemActivated.emit(item)
    current = designer.play_section.table.currentIndex()
    assert (current.row(), current.column()) == (1, PlayModel.ALBUM)


def test_switching_a_play_item_kind_keeps_what_was_typed(qtbot, designer):
    qtbot.mouseClick(designer.play_section.add_buttons[0], Qt.MouseButton.LeftButton)
    table = designer.play_section.table
    type_into_cell(qtbot, table, 0, PlayModel.ALBUM, "7")
    choose_kind(qtbot, table, 0, "Text to speech")
    assert designer.design().play == (TtsPlay(""),)
    assert not designer.play_model.flags(designer.play_model.index(0, PlayModel.ALBUM)) \
        & Qt.ItemFlag.ItemIsEditable
    choose_kind(qtbot, table, 0, "Library file")
    assert designer.design().play == (FilePlay("7", ""),)


def test_reorder_with_buttons_and_by_dragging(qtbot, designer):
    designer.set_design(Design(play=(TtsPlay("a"), TtsPlay("b"), TtsPlay("c"))))
    section = designer.play_section
    section.table.select_row(0)
    qtbot.mouseClick(section.down_button, Qt.MouseButton.LeftButton)
    assert [p.text for p in designer.design().play] == ["b", "a", "c"]
    assert section.table.current_row() == 1
    qtbot.mouseClick(section.up_button, Qt.MouseButton.LeftButton)
    assert [p.text for p in designer.design().play] == ["a", "b", "c"]
    # What a drop does: the view hands the dragged rows' data to the model.
    model = designer.play_model
    mime = model.mimeData([model.index(0, 0), model.index(0, 3)])
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, model.index(-1, -1))
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, model.index(-1, -1))
    assert [p.text for p in designer.design().play] == ["b", "c", "a"]
    assert '"text": "a"\n    }\n  ]' in designer.preview.toPlainText()
    qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    assert len(designer.design().play) == 2


def test_save_and_open_again_is_identical(qtbot, designer, tmp_path):
    build_through_the_form(qtbot, designer)
    before = designer.design()
    path = tmp_path / "menu.json"
    assert designer.save_design_to(path)
    assert path.read_text(encoding="utf-8") == EXPECTED + "\n"
    assert not designer.is_modified()
    designer.new_design()
    assert designer.design() == Design()
    assert designer.open_design_from(path)
    assert designer.design() == before
    assert designer.preview.toPlainText() == EXPECTED
    assert designer.status.text() == "Opened menu.json."


def test_opening_the_documentation_sample_warns_and_saves_valid_json(qtbot, designer, tmp_path):
    source = tmp_path / "from-the-docs.json"
    source.write_text(DOC_RESPONSE_SAMPLE, encoding="utf-8")
    assert designer.open_design_from(source)
    assert designer.status.kind == "warning"
    assert "trailing commas" in designer.status.text()
    assert any(f.code == "import.lenient" for f in designer.findings())
    target = tmp_path / "fixed.json"
    designer.save_design_to(target)
    saved = target.read_text(encoding="utf-8")
    assert json.loads(saved)["inputs"] == {"1": "3", "4": "2", "6": "105"}
    assert parse_design(saved).notes == ()


@pytest.mark.parametrize("content, words", [
    ('{"goto": "1",, }', "This is not valid JSON. Line 1, column 14: there is one comma too many"),
    ('["not", "a", "response"]', "must be a JSON object"),
    (b"\xff\xfe\x00\x00binary", "not a text file"),
])
def test_a_bad_file_is_refused_and_the_design_kept(qtbot, designer, tmp_path, content, words):
    designer.set_design(Design(goto="7"))
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert not designer.open_design_from(path)
    assert designer.status.kind == "error"
    assert words in designer.status.text()
    assert "bad.json" in designer.status.text()
    assert designer.design() == Design(goto="7")


def test_saving_to_a_folder_that_does_not_exist_says_so(qtbot, designer, tmp_path):
    assert not designer.save_design_to(tmp_path / "missing" / "x.json")
    assert designer.status.kind == "error"
    assert "Could not save the design" in designer.status.text()


def test_new_asks_before_discarding_changes(qtbot, designer):
    qtbot.keyClicks(designer.goto_edit, "5")
    designer.confirm_recorder.answer = False
    designer.on_new_clicked()
    assert designer.design() == Design(goto="5")
    assert designer.confirm_recorder.asked == ["The current response design has changes that "
                                               "are not saved."]
    designer.confirm_recorder.answer = True
    designer.on_new_clicked()
    assert designer.design() == Design()
    designer.on_new_clicked()  # nothing to lose: no question
    assert len(designer.confirm_recorder.asked) == 2


def test_samples_load_from_the_resources(qtbot, designer):
    titles = [action.text() for action in designer.samples_menu.actions()]
    assert "Main menu with three keys" in titles
    designer.samples_menu.actions()[titles.index("Main menu with three keys")].trigger()
    assert designer.design().inputs == (("1", "100"), ("2", "200"), ("9", "0"))
    assert [f for f in designer.findings() if f.severity != "info"] == []


def test_shortcuts_work_inside_the_designer(qtbot, designer):
    designer.activateWindow()
    qtbot.waitUntil(designer.isActiveWindow)
    designer.goto_edit.setFocus()
    qtbot.keyClicks(designer.goto_edit, "42")
    qtbot.keyClick(designer.goto_edit, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == '{\n  "goto": "42"\n}'
    qtbot.keyClick(designer.goto_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert designer.design() == Design()


def test_labels_and_accessible_names(qtbot, designer):
    assert designer.goto_edit.accessibleName() == "Go to branch"
    assert designer.play_section.title.buddy() is designer.play_section.table
    for button in (designer.new_button, designer.open_button, designer.save_button,
                   designer.copy_button, *designer.play_section.add_buttons,
                   designer.play_section.remove_button):
        assert button.accessibleName()
    qtbot.mouseClick(designer.keys_section.add_buttons[0], Qt.MouseButton.LeftButton)
    assert open_editor(designer.keys_section.table, 0, 1).accessibleName() == \
        "Go to branch, row 1"


def test_a_cut_off_design_file_says_where_it_ends(qtbot, designer, tmp_path):
    path = tmp_path / "menu.json"
    path.write_text(EXPECTED[: EXPECTED.index('"tts"') + 3], encoding="utf-8")
    assert not designer.open_design_from(path)
    assert designer.status.kind == "error"
    assert "The file ends too early at line 10" in designer.status.text()


def test_no_bytes_in_a_design_file_crash_the_designer(qtbot, designer, tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    whole = EXPECTED.encode()
    damaged = st.one_of(st.integers(0, len(whole)).map(lambda n: whole[:n]),
                        st.binary(max_size=80),
                        st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                                     lambda inner: st.lists(inner, max_size=3)
                                     | st.dictionaries(st.sampled_from(
                                         ["goto", "play", "inputs", "variables", "type",
                                          "album", "sort", "text", "1"]), inner, max_size=4),
                                     max_leaves=8).map(lambda v: json.dumps(v).encode()))

    @settings(max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(content=damaged)
    def check(content):
        path = tmp_path / "damaged.json"
        path.write_bytes(content)
        opened = designer.open_design_from(path)
        assert designer.status.kind in (("ok", "warning") if opened else ("error",))
        assert designer.status.text()

    check()
