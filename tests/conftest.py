"""Shared test settings: Qt draws offscreen, `support` (this folder) is importable, and
hypothesis runs a quick profile by default (HYPOTHESIS_PROFILE=thorough for many more
examples, e.g. before a release)."""

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
