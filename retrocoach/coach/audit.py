"""Check an event log against the safety rules, from the log alone.

Works on the contract's JSON objects (a file written with --events, or the engine's
events' `record()`s), so it can judge any session: the tests run it on every workout,
and it can be pointed at a real session's log after the fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TOLERANCE_KMH = 0.051  # the belt's reporting resolution (0.05 km/h), and float slack
MIN_COUNTDOWN_S = 3.0
ECHO_S = 3.0  # a machine's status this soon after our own command is its echo
PAUSED_BELT_S = 20.0  # a paused belt must stand still by then
TIME_SLACK_S = 0.002  # the log's times are rounded to milliseconds


@dataclass(frozen=True)
class Violation:
    rule: int
    t: float
    message: str

    def __str__(self) -> str:
        return f"rule {self.rule} at t={self.t:.2f}: {self.message}"


def audit(
    records: Iterable[Mapping[str, Any]],
    *,
    speed_min_kmh: float = 0.0,
    speed_max_kmh: float = float("inf"),
) -> list[Violation]:
    """Every breach of rules 1, 2, 3, 5 and 6 that the log shows, in time order, and of
    the log's own shape (rule 0: time never goes back, a sample each second, nothing
    after session_end).

    Rule 4 (emergency stop) is checked by the tests that press it; rule 7 is about what
    the engine does not do, and shows as the absence of coach commands after an adopt
    (a speed set on the console becomes the audit's idea of the target, too).
    """
    auditor = _Auditor(speed_min_kmh, speed_max_kmh)
    for rec in records:
        auditor.feed(rec)
    if not auditor.ended:
        auditor.breach(0, auditor.t, "the log has no session_end")
    return auditor.found


class _Auditor:
    def __init__(self, speed_min_kmh: float, speed_max_kmh: float) -> None:
        self.speed_min_kmh = speed_min_kmh
        self.speed_max_kmh = speed_max_kmh
        self.found: list[Violation] = []
        self.t = 0.0
        self.profile: Mapping[str, Any] = {}
        self.turn_kmh = 3.0
        self.turn_s = 5.0
        self.phase: str | None = None
        self.phase_t = 0.0
        self.countdown_t: float | None = None  # when the latest countdown began
        self.tick_t: float | None = None  # when its spoken "one" was cued
        self.turn_t: float | None = None  # when the current turn phase began
        self.direction: str | None = None
        self.commanded = 0.0  # the belt target the log last set
        self.belt = 0.0  # the belt speed the log last sampled
        self.uses_hr = False
        self.hr_present = True
        self.starts_allowed = 0
        self.ended = False
        self.last_sample_t: float | None = None
        self.coach_start_t: float | None = None
        self.speeds_sent: list[tuple[float, float]] = []  # (t, km/h) of recent set_speeds
        self.paused_t: float | None = None  # since when the belt should stand

    def breach(self, rule: int, t: float, message: str) -> None:
        self.found.append(Violation(rule, t, message))

    def feed(self, rec: Mapping[str, Any]) -> None:
        t = float(rec["t"])
        kind = rec["event"]
        if t < self.t - 1e-9:
            self.breach(0, t, f"{kind} at t={t} after t={self.t}: time went back")
        self.t = max(t, self.t)
        if self.ended:
            self.breach(0, t, f"{kind} after session_end")
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(rec, t)

    def _on_session_start(self, rec: Mapping[str, Any], t: float) -> None:
        self.profile = rec["profile"]
        self.turn_kmh = float(self.profile["turn_speed_kmh"])
        self.turn_s = float(self.profile["turn_time_s"])
        self.uses_hr = rec.get("hrm") is not None
        self.hr_present = not self.uses_hr

    def _on_phase(self, rec: Mapping[str, Any], t: float) -> None:
        self.phase, self.phase_t = rec["phase"], t
        if self.phase == "countdown":
            self.countdown_t = t
        elif self.phase == "turn":
            self.turn_t = t
            if self.commanded > self.turn_kmh + TOLERANCE_KMH:
                self.breach(2, t, f"turn begins with the target at {self.commanded:g} km/h")

    def _on_cue(self, rec: Mapping[str, Any], t: float) -> None:
        if rec["id"] == "countdown_1":
            self.tick_t = t

    def _on_user(self, rec: Mapping[str, Any], t: float) -> None:
        if rec["action"] in ("start", "resume"):
            self.starts_allowed += 1
        elif rec["action"] in ("pause", "stop", "emergency_stop") and self.paused_t is None:
            self.paused_t = t

    def _on_safety(self, rec: Mapping[str, Any], t: float) -> None:
        # (A pause because another app took control is not: the belt is that app's.)
        if rec["action"] == "paused" and self.paused_t is None:
            self.paused_t = t

    def _on_machine_status(self, rec: Mapping[str, Any], t: float) -> None:
        name = rec["name"]
        if name == "started_or_resumed_by_user":
            # The runner started the belt on the console: their own start (rule 7);
            # the echo of the coach's own start is not.
            if self.coach_start_t is None or t - self.coach_start_t > ECHO_S:
                self.starts_allowed += 1
                self.paused_t = None
        elif name in ("stopped_by_safety_key", "stopped_or_paused_by_user"):
            self.commanded = 0.0  # the machine stopped: no target stands any more
        elif name == "target_speed_changed" and rec.get("value") is not None:
            value = float(rec["value"])
            self.speeds_sent = [(s, v) for s, v in self.speeds_sent if t - s <= ECHO_S]
            if all(abs(v - value) > TOLERANCE_KMH for _, v in self.speeds_sent):
                self.commanded = value  # set on the console: the runner's, adopted

    def _on_sample(self, rec: Mapping[str, Any], t: float) -> None:
        if self.last_sample_t is not None and abs(t - self.last_sample_t - 1.0) > 0.01:
            self.breach(0, t, f"samples {t - self.last_sample_t:.3f} s apart, not 1 s")
        self.last_sample_t = t
        self.belt = float(rec["speed_kmh"])
        if self.paused_t is not None and t - self.paused_t > PAUSED_BELT_S and self.belt > 0.5:
            self.breach(6, t, f"belt at {self.belt:g} km/h {t - self.paused_t:.0f} s after a pause")
        if self.uses_hr:
            self.hr_present = rec["hr_bpm"] is not None
        if self.phase == "turn" and self.belt > self.turn_kmh + TOLERANCE_KMH:
            self.breach(
                2, t, f"belt at {self.belt:g} km/h during a turn (turn speed {self.turn_kmh:g})"
            )

    def _on_command(self, rec: Mapping[str, Any], t: float) -> None:
        op = rec["op"]
        if op == "start":
            self.coach_start_t = t
            self.paused_t = None
            if self.starts_allowed <= 0:
                self.breach(6, t, "belt start without a person's start or resume")
            self.starts_allowed = 0
            if not self._counted_down(t):
                self.breach(1, t, "belt start without a countdown of at least 3 s")
        elif op in ("stop", "pause"):
            self.commanded = 0.0
        elif op == "set_speed" and rec["value"] is not None:
            self._check_speed(float(rec["value"]), rec["source"], t)
            self.commanded = float(rec["value"])
            self.speeds_sent.append((t, self.commanded))

    def _check_speed(self, value: float, source: str, t: float) -> None:
        # Rule 3: every speed sent stays within its cap and the machine's range.
        if self.profile:
            key = "backward_max_kmh" if self.direction == "backward" else "forward_max_kmh"
            cap = float(self.profile[key])
            if value > cap + 1e-6:
                self.breach(3, t, f"{self.direction} speed {value:g} km/h above the cap of {cap:g}")
        if not self.speed_min_kmh - 1e-6 <= value <= self.speed_max_kmh + 1e-6:
            self.breach(3, t, f"speed {value:g} km/h outside the machine's range")
        # Rule 2: during a turn the target stays at or below the turn speed.
        if self.phase == "turn" and value > self.turn_kmh + 1e-6:
            self.breach(2, t, f"target {value:g} km/h during a turn")
        if source != "coach" or value <= self.commanded + 1e-6:
            return
        # Rule 1: a coach's increase is sent in a ramp that follows a countdown.
        if self.phase != "ramp":
            self.breach(1, t, f"speed increase to {value:g} km/h outside a ramp ({self.phase})")
        elif not self._counted_down(self.phase_t):
            self.breach(1, t, f"ramp to {value:g} km/h without a countdown of at least 3 s")
        # Rule 5: no increase while the heart rate is missing.
        if not self.hr_present:
            self.breach(5, t, f"speed increase to {value:g} km/h while the heart rate is missing")

    def _counted_down(self, t: float) -> bool:
        """A countdown of at least 3 s began before `t`, and its "one" was heard."""
        return (
            self.countdown_t is not None
            and t - self.countdown_t >= MIN_COUNTDOWN_S - TIME_SLACK_S
            and self.tick_t is not None
            and self.countdown_t <= self.tick_t <= t + 1e-6
        )

    def _on_segment_start(self, rec: Mapping[str, Any], t: float) -> None:
        new = rec["direction"]
        if self.direction is not None and new != self.direction:
            if self.turn_t is None or t - self.turn_t < self.turn_s - TIME_SLACK_S:
                held = "no turn" if self.turn_t is None else f"{t - self.turn_t:.2f} s of turn"
                self.breach(2, t, f"direction change after {held} (needs {self.turn_s:g} s)")
            if self.belt > self.turn_kmh + TOLERANCE_KMH:
                self.breach(2, t, f"direction change with the belt at {self.belt:g} km/h")
        self.direction = new
        self.turn_t = None

    def _on_session_end(self, rec: Mapping[str, Any], t: float) -> None:
        self.ended = True
