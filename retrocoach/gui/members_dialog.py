"""The coach's list of gym members: pick one to see and change their profile, add one,
rename one (change the name and Save), or delete one.

The list is the `MemberBook`'s folder, read again after every change; the form is the
same `ProfileForm` as the person's own profile, so a member's values are checked by the
same rules. Nothing is written until Save, and edits are never dropped without asking:
switching member, New member or Close with unsaved changes asks first (Esc does not
ask: it is the emergency stop, and the dialog just closes).
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from retrocoach.gui.profile_form import ProfileForm
from retrocoach.members import MemberBook, MemberError
from retrocoach.workouts.profile import RunnerProfile, Units

MessageKind = Literal["saved", "invalid", "error"]
LIST_WIDTH = 230
EMPTY_HINT = "No members yet. Fill in the form on the right and Save to add the first one."
NAME_ROLE = Qt.ItemDataRole.UserRole


class MembersDialog(QDialog):
    """Members on the left, the selected member's profile on the right."""

    members_changed = Signal()  # after every save or delete

    def __init__(
        self,
        book: MemberBook,
        units: Units,
        parent: QWidget | None = None,
        select: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("membersDialog")
        self.setWindowTitle("Members")
        self.resize(1360, 780)
        self._book = book
        self._units = units  # a new member's speeds are shown in the gym's units
        self._profiles: dict[str, RunnerProfile] = {}  # by casefolded name, as listed
        self._current: str | None = None  # the member shown, as saved; None for a new one
        self._shown = RunnerProfile(name="", units=units)  # as loaded: edits differ from it
        self._message_kind: MessageKind | None = None

        self.member_list = QListWidget()
        self.member_list.setObjectName("memberList")
        self.member_list.setFixedWidth(LIST_WIDTH)
        self.member_list.setSpacing(3)  # names a finger or a quick click can tell apart
        self.member_list.setFrameShape(QFrame.Shape.NoFrame)
        # A long name is cut with "…" (and shown whole in its tooltip), not scrolled.
        self.member_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.member_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.member_list.currentItemChanged.connect(self._on_current_changed)
        self._empty_hint = QLabel(EMPTY_HINT)
        self._empty_hint.setProperty("role", "formHint")
        self._empty_hint.setWordWrap(True)
        self._empty_hint.setFixedWidth(LIST_WIDTH)
        self.new_button = QPushButton("New member")
        self.new_button.setObjectName("newMemberButton")
        self.new_button.clicked.connect(self.new_member)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("deleteMemberButton")
        self.delete_button.clicked.connect(self.delete_current)
        # Hidden, not disabled, while a new member is filled in (nothing to delete yet):
        # the theme draws a disabled button like an enabled one here. Its place is kept
        # so that New member does not move under the pointer.
        policy = self.delete_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.delete_button.setSizePolicy(policy)

        self.form = ProfileForm()
        self.form.changed.connect(self._on_edit)

        # Member files that could not be read: kept in view (not replaced by the next
        # message), since the coach may need to fix or remove them by hand.
        self.file_problems = QLabel()
        self.file_problems.setObjectName("memberFileProblems")
        self.file_problems.setProperty("role", "fieldProblem")
        self.file_problems.setWordWrap(True)
        self.file_problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_problems.hide()

        self.problem = QLabel()
        self.problem.setObjectName("memberProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveMemberButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeMembersButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self._close_asked)

        self._build_layout()
        self._refresh(select)

    def _build_layout(self) -> None:
        # A titled group like the form's own, so the two sides read as one page.
        left = QGroupBox("Members")
        left.setProperty("role", "formGroup")
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.member_list, 1)
        left_layout.addWidget(self._empty_hint)
        left_layout.addWidget(self.new_button)
        left_layout.addWidget(self.delete_button)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)

        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(left)
        top.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.problem, 10)
        buttons.addStretch(1)  # buttons keep their size when there is no message
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.file_problems)
        layout.addLayout(top, 1)
        layout.addLayout(buttons)

    # ---------------------------------------------------------------- actions

    def current_name(self) -> str | None:
        """The member shown, by their saved name; None while a new one is filled in."""
        return self._current

    def select(self, name: str) -> bool:
        """Show the member called `name` (any case); False if there is none."""
        item = self._item(name)
        if item is None:
            return False
        self.member_list.setCurrentItem(item)  # asks first if edits would be lost
        return self._current is not None and self._current.casefold() == name.strip().casefold()

    def new_member(self) -> None:
        """An empty form for a member not saved yet, the name to be typed first."""
        if not self._may_discard():
            return
        self._show_new()

    def save(self) -> bool:
        """Save the member shown (renaming them if the name was changed); say what is
        wrong instead, and keep everything typed, if it cannot be saved."""
        profile = self.form.profile()
        if profile is None:
            summary = self.form.problem_summary()
            self._say(f"Fix the values marked ⚠ to save: {summary}.", kind="invalid")
            return False
        try:
            self._book.save(profile, replacing=self._current)
        except MemberError as exc:
            self._say(str(exc), kind="error")
            self.form.editor("name").setFocus()  # every MemberError is about the name
            return False
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self._say(
                f"Could not save in {self._book.folder}: {reason}. The values are still "
                "here; free some space or allow writing to that folder, then Save again.",
                kind="error",
            )
            return False
        self._current, self._shown = profile.name, profile
        self._refresh(profile.name)
        self._say(f"Saved {profile.name}.", kind="saved")
        self.members_changed.emit()
        return True

    def delete_current(self) -> None:
        """Delete the member shown, once the coach has said yes."""
        name = self._current
        if name is None or not self.confirm_delete(name):
            return
        listed = [p.name for p in self._profiles.values()]
        row = self.member_list.currentRow()
        try:
            self._book.delete(name)
        except OSError as exc:
            self._say(f"Could not delete {name}: {exc.strerror or exc}.", kind="error")
            return
        self._current = None
        # Show the member that takes its place in the list, so the coach goes on from there.
        others = listed[row + 1 :] + listed[:row][::-1] if row >= 0 else []
        self._refresh(others[0] if others else None)
        self._say(f"Deleted {name}.", kind="saved")
        self.members_changed.emit()

    def has_unsaved_changes(self) -> bool:
        return self.form.profile() != self._shown

    # One method for each question, so that a test can answer it.

    def confirm_delete(self, name: str) -> bool:
        answer = QMessageBox.question(
            self, "Please confirm", f"Delete {name}? Their profile is removed from this computer."
        )
        return answer == QMessageBox.StandardButton.Yes

    def confirm_discard(self, name: str | None) -> bool:
        """Drop unsaved changes? `name` is the member's, None for a new member."""
        what = f"the changes to {name}" if name is not None else "the new member"
        answer = QMessageBox.question(self, "Please confirm", f"Discard {what}? It is not saved.")
        return answer == QMessageBox.StandardButton.Yes

    # ---------------------------------------------------------------- internals

    def _refresh(self, select: str | None) -> None:
        """List the members again and show `select` (else the current member, else the
        first, else a new member)."""
        profiles = self._book.members()
        self._profiles = {p.name.casefold(): p for p in profiles}
        wanted = next(
            (key for key in (select, self._current) if key and key.casefold() in self._profiles),
            profiles[0].name if profiles else None,
        )
        with QSignalBlocker(self.member_list):
            self.member_list.clear()
            for profile in profiles:
                item = QListWidgetItem(profile.name)
                item.setData(NAME_ROLE, profile.name)
                item.setToolTip(profile.name)
                self.member_list.addItem(item)
            chosen = self._item(wanted) if wanted is not None else None
            if chosen is not None:
                self.member_list.setCurrentItem(chosen)
        self._empty_hint.setVisible(not profiles)
        self.file_problems.setText("\n".join(f"⚠ {p}" for p in self._book.problems))
        self.file_problems.setVisible(bool(self._book.problems))
        if wanted is None:
            self._show_new()
        else:
            self._show(self._profiles[wanted.casefold()])

    def _show(self, profile: RunnerProfile) -> None:
        self._current, self._shown = profile.name, profile
        self.form.set_profile(profile)
        self._clear_message()
        self._update()

    def _show_new(self) -> None:
        with QSignalBlocker(self.member_list):
            self.member_list.setCurrentRow(-1)
            self.member_list.clearSelection()
        self._current = None
        self._shown = RunnerProfile(name="", units=self._units)
        self.form.set_profile(self._shown)
        self._clear_message()
        self._update()
        self.form.editor("name").setFocus()

    def _on_current_changed(self, current: QListWidgetItem | None) -> None:
        if current is None:
            return
        if not self._may_discard():
            # Stay on the member being edited, as if the click had not happened. Later,
            # not now: a click selects its row only after the current row has changed.
            QTimer.singleShot(0, self, self._reselect_shown)
            return
        profile = self._profiles.get(str(current.data(NAME_ROLE)).casefold())
        if profile is not None:
            self._show(profile)

    def _reselect_shown(self) -> None:
        item = self._item(self._current) if self._current is not None else None
        with QSignalBlocker(self.member_list):
            if item is not None:
                self.member_list.setCurrentItem(item)
            else:
                self.member_list.setCurrentRow(-1)
                self.member_list.clearSelection()

    def _item(self, name: str) -> QListWidgetItem | None:
        key = name.strip().casefold()
        for row in range(self.member_list.count()):
            item = self.member_list.item(row)
            if str(item.data(NAME_ROLE)).casefold() == key:
                return item
        return None

    def _may_discard(self) -> bool:
        return not self.has_unsaved_changes() or self.confirm_discard(self._current)

    def _close_asked(self) -> None:
        if self._may_discard():
            self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The window's own close button asks like Close; a close() from the app (it is
        # quitting) does not.
        if event.spontaneous() and not self._may_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def _on_edit(self) -> None:
        # What was said about the last Save is stale once the values change.
        self._clear_message()
        self._update()

    def _update(self) -> None:
        self.delete_button.setVisible(self._current is not None)
        summary = self.form.problem_summary()
        if summary:
            self._say(f"Fix the values marked ⚠ to save: {summary}.", kind="invalid")
        elif self._message_kind == "invalid":
            self._clear_message()  # fixed

    def _say(self, text: str, *, kind: MessageKind) -> None:
        self._message_kind = kind
        self.problem.setText(f"✓ {text}" if kind == "saved" else f"⚠ {text}")
        # The app's own looks: red and bold for a problem, the quieter hint for news.
        self.problem.setProperty("role", "formHint" if kind == "saved" else "fieldProblem")
        self.problem.style().unpolish(self.problem)
        self.problem.style().polish(self.problem)
        self.problem.show()

    def _clear_message(self) -> None:
        self._message_kind = None
        self.problem.clear()
        self.problem.hide()
