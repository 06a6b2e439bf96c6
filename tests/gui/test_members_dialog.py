"""The coach's list of members: adding, changing, renaming and deleting a member as a
person does it (clicks and typing), what is said when a member cannot be saved, and
that unsaved changes are never dropped without asking."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
)
from pytestqt.qtbot import QtBot

from retrocoach.gui.members_dialog import MembersDialog
from retrocoach.members import MemberBook
from retrocoach.workouts.profile import RunnerProfile, Units

ANA = RunnerProfile(name="Ana", walk_kmh=4.5, hr_max=182)
BOB = RunnerProfile(name="Bob", run_kmh=10.0)


class AnsweredDialog(MembersDialog):
    """The dialog with its questions answered by the test, in order (yes by default)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.answers: deque[bool] = deque()
        self.asked: list[str] = []
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def confirm_delete(self, name: str) -> bool:
        self.asked.append(f"delete {name}")
        return self.answers.popleft() if self.answers else True

    def confirm_discard(self, name: str | None) -> bool:
        self.asked.append(f"discard {name}")
        return self.answers.popleft() if self.answers else True


@pytest.fixture
def book(tmp_path: Path) -> MemberBook:
    return MemberBook(tmp_path / "members")


@pytest.fixture
def two(book: MemberBook) -> MemberBook:
    book.save(ANA)
    book.save(BOB)
    return book


def open_dialog(
    qtbot: QtBot, book: MemberBook, units: Units = Units.KMH, select: str | None = None
) -> AnsweredDialog:
    dialog = AnsweredDialog(book, units, select=select)
    dialog.setLocale(QLocale.c())  # "5.0", whatever the machine's decimal separator
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def member_list(dialog: MembersDialog) -> QListWidget:
    found = dialog.findChild(QListWidget, "memberList")
    assert found is not None
    return found


def listed(dialog: MembersDialog) -> list[str]:
    names = member_list(dialog)
    return [names.item(row).text() for row in range(names.count())]


def selected(dialog: MembersDialog) -> str | None:
    item = member_list(dialog).currentItem()
    return item.text() if item is not None and item.isSelected() else None


def click(qtbot: QtBot, dialog: MembersDialog, name: str) -> None:
    button = dialog.findChild(QPushButton, name)
    assert button is not None and button.isVisible(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def click_member(qtbot: QtBot, dialog: MembersDialog, name: str) -> None:
    names = member_list(dialog)
    item = names.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    rect = names.visualItemRect(item)
    qtbot.mouseClick(names.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def name_field(dialog: MembersDialog) -> QLineEdit:
    editor = dialog.form.editor("name")
    assert isinstance(editor, QLineEdit)
    return editor


def type_name(qtbot: QtBot, dialog: MembersDialog, text: str) -> None:
    editor = name_field(dialog)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def type_number(qtbot: QtBot, dialog: MembersDialog, key: str, text: str) -> None:
    box = dialog.form.editor(key)
    assert isinstance(box, QAbstractSpinBox)
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)


def shown_problem(dialog: MembersDialog) -> str:
    label = dialog.findChild(QLabel, "memberProblem")
    assert label is not None
    return label.text() if label.isVisible() else ""


def test_with_no_members_it_opens_on_a_new_one_ready_for_its_name(
    qtbot: QtBot, book: MemberBook
) -> None:
    dialog = open_dialog(qtbot, book)

    assert listed(dialog) == []
    assert name_field(dialog).text() == ""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is name_field(dialog))
    assert dialog.form.profile() == RunnerProfile(name="")
    assert not dialog.delete_button.isVisible()  # nothing to delete yet


def test_members_are_listed_and_the_one_asked_for_is_shown(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two, select="BOB")

    assert listed(dialog) == ["Ana", "Bob"]
    assert selected(dialog) == "Bob"
    assert dialog.form.profile() == BOB

    click_member(qtbot, dialog, "Ana")
    assert dialog.form.profile() == ANA
    assert dialog.asked == []  # nothing was changed: nothing to ask


def test_a_new_member_is_created(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two)
    click(qtbot, dialog, "newMemberButton")
    assert selected(dialog) is None
    assert name_field(dialog).text() == ""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is name_field(dialog))

    type_name(qtbot, dialog, "Carla")
    type_number(qtbot, dialog, "walk_kmh", "4.2")
    with qtbot.waitSignal(dialog.members_changed, timeout=1000):
        click(qtbot, dialog, "saveMemberButton")

    assert listed(dialog) == ["Ana", "Bob", "Carla"]
    assert selected(dialog) == "Carla"
    assert two.get("carla") == RunnerProfile(name="Carla", walk_kmh=4.2)
    assert "Saved Carla" in shown_problem(dialog)
    assert dialog.delete_button.isVisible()


def test_a_new_member_gets_the_gyms_units(qtbot: QtBot, book: MemberBook) -> None:
    dialog = open_dialog(qtbot, book, units=Units.MPH)
    assert dialog.form.units() is Units.MPH
    type_name(qtbot, dialog, "Dee")
    click(qtbot, dialog, "saveMemberButton")
    saved = book.get("Dee")
    assert saved is not None and saved.units is Units.MPH


def test_a_member_is_changed(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two, select="Bob")
    type_number(qtbot, dialog, "run_kmh", "11.5")
    with qtbot.waitSignal(dialog.members_changed, timeout=1000):
        click(qtbot, dialog, "saveMemberButton")

    assert two.members() == [ANA, RunnerProfile(name="Bob", run_kmh=11.5)]
    assert listed(dialog) == ["Ana", "Bob"]


def test_a_member_is_renamed(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two, select="Ana")
    type_name(qtbot, dialog, "Anna")
    click(qtbot, dialog, "saveMemberButton")

    assert listed(dialog) == ["Anna", "Bob"]
    assert selected(dialog) == "Anna"
    assert two.get("Ana") is None
    assert two.get("Anna") == RunnerProfile(name="Anna", walk_kmh=4.5, hr_max=182)
    assert len(list(two.folder.iterdir())) == 2  # the old file went


def test_another_members_name_is_refused_and_said(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two, select="Ana")
    type_name(qtbot, dialog, "BOB")
    with qtbot.assertNotEmitted(dialog.members_changed):
        click(qtbot, dialog, "saveMemberButton")

    assert 'already a member called "Bob"' in shown_problem(dialog)
    assert two.members() == [ANA, BOB]
    assert listed(dialog) == ["Ana", "Bob"]
    assert name_field(dialog).text() == "BOB"  # what was typed stays, to be corrected


def test_a_member_without_a_name_is_not_saved(qtbot: QtBot, book: MemberBook) -> None:
    dialog = open_dialog(qtbot, book)
    type_name(qtbot, dialog, "   ")
    with qtbot.assertNotEmitted(dialog.members_changed):
        click(qtbot, dialog, "saveMemberButton")

    assert "needs a name" in shown_problem(dialog)
    assert book.members() == []
    assert listed(dialog) == []


def test_an_invalid_value_shows_the_problem_and_saves_nothing(
    qtbot: QtBot, two: MemberBook
) -> None:
    files = {path: path.read_bytes() for path in two.folder.iterdir()}
    dialog = open_dialog(qtbot, two, select="Ana")

    type_number(qtbot, dialog, "walk_kmh", "12")
    assert "walking speed" in shown_problem(dialog)  # said at once, by the field too
    assert "between 0.5 and 9 km/h" in dialog.form.problem_shown("walk_kmh")
    with qtbot.assertNotEmitted(dialog.members_changed):
        click(qtbot, dialog, "saveMemberButton")

    assert "Fix the values marked ⚠" in shown_problem(dialog)
    assert "walking speed" in shown_problem(dialog)
    assert {path: path.read_bytes() for path in two.folder.iterdir()} == files


def test_a_save_that_fails_on_disk_is_said_and_keeps_what_was_typed(
    qtbot: QtBot, two: MemberBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(qtbot, two, select="Ana")
    type_number(qtbot, dialog, "walk_kmh", "4.0")

    def disk_full(self: Path, target: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", disk_full)
    click(qtbot, dialog, "saveMemberButton")

    assert "No space left on device" in shown_problem(dialog)
    assert str(two.folder) in shown_problem(dialog)
    assert dialog.form.profile() == RunnerProfile(name="Ana", walk_kmh=4.0, hr_max=182)
    assert two.get("Ana") == ANA


def test_a_member_is_deleted_once_the_coach_says_yes(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two, select="Ana")
    dialog.answers.append(True)
    with qtbot.waitSignal(dialog.members_changed, timeout=1000):
        click(qtbot, dialog, "deleteMemberButton")

    assert dialog.asked == ["delete Ana"]
    assert listed(dialog) == ["Bob"]
    assert two.members() == [BOB]
    assert selected(dialog) == "Bob"  # the next one, ready to go on with
    assert dialog.form.profile() == BOB


def test_a_member_is_kept_when_the_coach_says_no(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two, select="Ana")
    dialog.answers.append(False)
    with qtbot.assertNotEmitted(dialog.members_changed):
        click(qtbot, dialog, "deleteMemberButton")

    assert dialog.asked == ["delete Ana"]
    assert listed(dialog) == ["Ana", "Bob"]
    assert two.members() == [ANA, BOB]
    assert dialog.form.profile() == ANA


def test_deleting_the_last_member_leaves_a_new_one_to_fill_in(
    qtbot: QtBot, book: MemberBook
) -> None:
    book.save(ANA)
    dialog = open_dialog(qtbot, book)
    click(qtbot, dialog, "deleteMemberButton")

    assert listed(dialog) == []
    assert book.members() == []
    assert name_field(dialog).text() == ""
    assert not dialog.delete_button.isVisible()


def test_unsaved_changes_are_not_dropped_without_asking(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two, select="Ana")
    type_number(qtbot, dialog, "walk_kmh", "4.0")

    dialog.answers.append(False)  # no: stay with Ana's changes
    click_member(qtbot, dialog, "Bob")
    assert dialog.asked == ["discard Ana"]
    qtbot.waitUntil(lambda: selected(dialog) == "Ana")
    assert [item.text() for item in member_list(dialog).selectedItems()] == ["Ana"]
    assert dialog.form.profile() == RunnerProfile(name="Ana", walk_kmh=4.0, hr_max=182)

    dialog.answers.append(False)
    click(qtbot, dialog, "newMemberButton")
    assert name_field(dialog).text() == "Ana"

    dialog.answers.append(True)  # yes: Bob, and Ana as she was saved
    click_member(qtbot, dialog, "Bob")
    assert dialog.form.profile() == BOB
    assert two.get("Ana") == ANA


def test_close_asks_about_unsaved_changes(qtbot: QtBot, two: MemberBook) -> None:
    dialog = open_dialog(qtbot, two, select="Ana")
    type_name(qtbot, dialog, "Anna")

    dialog.answers.append(False)
    click(qtbot, dialog, "closeMembersButton")
    assert dialog.isVisible()
    assert name_field(dialog).text() == "Anna"

    dialog.answers.append(True)
    click(qtbot, dialog, "closeMembersButton")
    assert not dialog.isVisible()
    assert dialog.asked == ["discard Ana", "discard Ana"]
    assert two.members() == [ANA, BOB]


def test_files_that_cannot_be_read_are_named(qtbot: QtBot, two: MemberBook) -> None:
    (two.folder / "carl.toml").write_text('name = "Carl"\nwalk_kmh = "fast"\n', "utf-8")
    dialog = open_dialog(qtbot, two)

    note = dialog.findChild(QLabel, "memberFileProblems")
    assert note is not None and note.isVisible()
    assert "carl.toml" in note.text() and "walk_kmh" in note.text()
    assert listed(dialog) == ["Ana", "Bob"]

    click_member(qtbot, dialog, "Bob")  # still said while the coach works
    assert note.isVisible()
