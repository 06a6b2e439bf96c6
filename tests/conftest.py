"""Shared test settings: Qt draws offscreen, and `support` (this folder) is importable."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
