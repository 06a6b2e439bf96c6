"""The first start: what retrocoach is, how to start safely, and the runner's profile.

Saving the profile is the caller's job (`profile()` after `exec()` returns Accepted).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from retrocoach.gui.profile_form import ProfileForm
from retrocoach.workouts.profile import RunnerProfile

WELCOME_TITLE = "Welcome to retrocoach"
WELCOME_TEXT = (
    "retrocoach coaches backwards running on your treadmill. It sets the belt's speed for "
    "each part of a workout, turns you round safely between backwards and forwards, and "
    "says every change out loud — so you can keep your eyes on the belt."
)
SAFETY_TEXT = (
    "<b>Before your first session:</b> clip the treadmill's safety key to your clothes; "
    "start by walking backwards slowly, holding the side rails; the big red button or the "
    "Esc key stops the belt at once."
)
FORM_INTRO = (
    "Tell the coach about yourself. The defaults suit most beginners; you can change "
    "everything later in Settings."
)


class FirstRunDialog(QDialog):
    """Welcome, safety, and a profile form; Continue is enabled only while it is valid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle(WELCOME_TITLE)
        self.resize(1200, 760)

        title = QLabel(WELCOME_TITLE)
        title.setObjectName("firstRunTitle")
        welcome = QLabel(WELCOME_TEXT)
        welcome.setWordWrap(True)
        safety = QLabel(SAFETY_TEXT)
        safety.setObjectName("firstRunSafety")
        safety.setWordWrap(True)
        safety.setTextFormat(Qt.TextFormat.RichText)
        intro = QLabel(FORM_INTRO)
        intro.setWordWrap(True)
        intro.setProperty("role", "formHint")

        self.form = ProfileForm()
        self.form.changed.connect(self._update_continue)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        for widget in (title, welcome, safety, intro, self.form):
            body_layout.addWidget(widget)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        buttons = QDialogButtonBox()
        self.continue_button: QPushButton = buttons.addButton(
            "Continue", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.continue_button.setObjectName("continueButton")
        self.continue_button.setDefault(True)
        buttons.accepted.connect(self._accept_if_valid)
        self._invalid_note = QLabel()
        self._invalid_note.setProperty("role", "fieldProblem")

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self._invalid_note)
        layout.addWidget(buttons)
        self._update_continue()

    def profile(self) -> RunnerProfile | None:
        """The profile filled in (None while it is invalid)."""
        return self.form.profile()

    def _update_continue(self) -> None:
        wrong = self.form.problem_summary()
        self.continue_button.setEnabled(not wrong)
        self._invalid_note.setText(f"⚠ Fix the values marked ⚠ to continue: {wrong}.")
        self._invalid_note.setVisible(bool(wrong))

    def _accept_if_valid(self) -> None:
        # Checked again: the button is the only guard otherwise.
        if self.form.profile() is not None:
            self.accept()
