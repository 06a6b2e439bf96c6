"""Hear what a Qt app really plays: a private PulseAudio server with a null sink, a
recorder on the sink's monitor, and onset detection on the `time.monotonic()` clock.

    with PulseLoopback() as pulse:
        os.environ.update(pulse.env())  # before QtMultimedia is used at all
        with pulse.record() as rec:
            ...  # play sounds
        times = onsets(rec.recording)

QtMultimedia connects to PulseAudio once per process, the first time it is used, and
reads PULSE_SERVER then: enter `PulseLoopback` and put `env()` into os.environ before
anything in the process creates a QSoundEffect (or QMediaDevices, QAudioSink...).

Needs the Debian packages pulseaudio, pulseaudio-utils (parec, pactl) and libpulse0.

Beware onsets of replayed QSoundEffects (Qt 6.11, FFmpeg backend): the last ~12 ms of
a clip stay in the stream's buffer when it finishes and come out first on the next
play(), ~1-5 ms after it; the clip's own start follows 11-16 ms later. `find_sound`
with the clip finds its start; `onsets` finds that leftover tail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Literal, Self

import numpy as np
from numpy.typing import NDArray

RATE = 48000
SINK = "cue"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 3.0
PACKAGES = "pulseaudio, pulseaudio-utils and libpulse0"

FloatArray = NDArray[np.float32]


class PulseLoopback:
    """A private pulseaudio daemon whose only sink is a null sink named `cue`.

    Everything it writes (socket, pid file, state) stays in a temporary directory,
    which goes away on exit with the daemon.
    """

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._daemon: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def dir(self) -> Path:
        if self._dir is None:
            raise RuntimeError("PulseLoopback is not running (use it as a context manager)")
        return self._dir

    @property
    def server(self) -> str:
        """The PULSE_SERVER value for clients: ``unix:<dir>/native``."""
        return f"unix:{self.dir / 'native'}"

    def env(self) -> dict[str, str]:
        """Variables that point a PulseAudio client (Qt, parec, pactl) at this server.
        The cookie lives here too, so no client creates one in the person's home."""
        return {"PULSE_SERVER": self.server, "PULSE_COOKIE": str(self.dir / "cookie")}

    def log(self) -> str:
        """What the daemon has printed so far (warnings as root are normal)."""
        path = self.dir / "pulseaudio.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> Self:
        missing = [tool for tool in ("pulseaudio", "parec", "pactl") if not shutil.which(tool)]
        if missing:
            raise RuntimeError(
                f"{', '.join(missing)} not found: install the Debian packages {PACKAGES}"
            )
        self._dir = Path(tempfile.mkdtemp(prefix="pulse-loopback-"))
        try:
            self._start()
        except BaseException:
            self._shutdown()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._shutdown()

    def _daemon_env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"):
            (self.dir / name.lower()).mkdir(mode=0o700)
            env[name] = str(self.dir / name.lower())
        # Not the person's session bus (the daemon would register its names there) and
        # no X11 (libdbus could try to autolaunch a bus through it).
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={self.dir / 'no-bus'}"
        env.pop("DISPLAY", None)
        env.update(self.env())
        return env

    def _start(self) -> None:
        env = self._daemon_env()
        self._log = (self.dir / "pulseaudio.log").open("wb")
        # -n: no default.pa, only the two modules; norewinds=1 on the null sink, or
        # the server rewrites (drops) silent gaps already rendered into the monitor.
        self._daemon = subprocess.Popen(
            [
                "pulseaudio",
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disable-shm=yes",
                "--log-target=stderr",
                "-L",
                f"module-native-protocol-unix socket={self.dir / 'native'} auth-anonymous=1",
                "-L",
                f"module-null-sink sink_name={SINK} rate={RATE} channels=2 norewinds=1",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self._daemon.poll() is not None:
                raise RuntimeError(
                    f"pulseaudio exited with status {self._daemon.returncode}:\n{self.log()}"
                )
            with contextlib.suppress(subprocess.TimeoutExpired):
                info = subprocess.run(
                    ["pactl", "info"], env=env, capture_output=True, timeout=2, check=False
                )
                if info.returncode == 0:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"pulseaudio did not answer `pactl info` within {START_TIMEOUT_S:.0f} s:\n"
                    + self.log()
                )
            time.sleep(0.05)

    def _shutdown(self) -> None:
        if self._daemon is not None:
            _stop_process(self._daemon, signal.SIGTERM)
            self._daemon = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def record(self) -> Recorder:
        """Start recording the null sink (mono, 48 kHz); returns once the stream is live."""
        recorder = Recorder(self)
        recorder.start()
        return recorder


def _stop_process(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True, eq=False)
class Recording:
    """Samples in [-1, 1] and, for each chunk parec delivered, when it arrived
    (`arrivals`, monotonic s) and how many samples had arrived by then (`ends`)."""

    samples: FloatArray
    rate: int
    arrivals: NDArray[np.float64]
    ends: NDArray[np.int64]

    def time_of(self, index: int) -> float:
        """When the chunk holding sample `index` arrived: an upper bound (by about one
        chunk, ~10 ms at most) on when the server mixed it. Not "arrival minus the audio
        after it": the null sink renders ahead of real time, so that would come out
        before the play() that caused the sound."""
        if not 0 <= index < len(self.samples):
            raise IndexError(f"sample {index} is outside the recording")
        return float(self.arrivals[np.searchsorted(self.ends, index, side="right")])

    def index_at(self, t: float) -> int:
        """The first sample whose `time_of` is at or after `t` (len(samples) if none):
        everything the server mixed from `t` on is in ``samples[index_at(t):]``."""
        chunk = int(np.searchsorted(self.arrivals, t, side="left"))
        if chunk >= len(self.arrivals):
            return len(self.samples)
        return int(self.ends[chunk - 1]) if chunk > 0 else 0

    @property
    def start(self) -> float:
        return float(self.arrivals[0]) if len(self.arrivals) else float("nan")

    @property
    def end(self) -> float:
        return float(self.arrivals[-1]) if len(self.arrivals) else float("nan")


class Recorder:
    """parec on the null sink's monitor, read by a thread that stamps each chunk with
    its arrival time. `stop()` (or leaving the `with`) gives `recording`."""

    READ_SIZE = 4096

    def __init__(self, loopback: PulseLoopback) -> None:
        self._loopback = loopback
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._data: list[bytes] = []
        self._chunks: list[tuple[float, int]] = []
        self._recording: Recording | None = None

    def start(self) -> None:
        log = self._loopback.dir / f"parec-{id(self)}.log"
        env = dict(os.environ) | self._loopback.env()
        with log.open("wb") as err:
            self._process = subprocess.Popen(
                [
                    "parec",
                    f"--device={SINK}.monitor",
                    "--format=s16le",
                    f"--rate={RATE}",
                    "--channels=1",
                    "--latency-msec=10",
                    "--raw",
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                bufsize=0,
                stderr=err,
            )
        self._thread = threading.Thread(target=self._read, name="parec-reader", daemon=True)
        self._thread.start()
        # Live once data flows; a little more so the stream has settled.
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._chunks:
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"parec delivered no audio:\n{log.read_text(errors='replace')}")
            time.sleep(0.01)
        time.sleep(0.3)

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        total = 0
        # Whatever is there, up to READ_SIZE, as soon as it is there (no buffering).
        while chunk := os.read(fd, self.READ_SIZE):
            arrival = time.monotonic()
            total += len(chunk)
            self._data.append(chunk)
            # Whole samples only: a chunk may end in the middle of one.
            self._chunks.append((arrival, total // 2))

    def stop(self) -> Recording:
        if self._recording is not None:
            return self._recording
        if self._process is not None:
            _stop_process(self._process, signal.SIGINT)
        if self._thread is not None:
            self._thread.join()
        raw = b"".join(self._data)
        pcm = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2")
        self._recording = Recording(
            samples=pcm.astype(np.float32) / np.float32(32768),
            rate=RATE,
            arrivals=np.array([a for a, _ in self._chunks], dtype=np.float64),
            ends=np.array([n for _, n in self._chunks], dtype=np.int64),
        )
        return self._recording

    @property
    def recording(self) -> Recording:
        if self._recording is None:
            raise RuntimeError("still recording: stop() first")
        return self._recording

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def onsets(
    recording: Recording, threshold: float = 0.01, min_silence_s: float = 0.04
) -> list[float]:
    """Monotonic times where |signal| rises above `threshold` after at least
    `min_silence_s` below it (a sound at the very start of the recording has no
    silence before it and does not count)."""
    loud = np.flatnonzero(np.abs(recording.samples) > threshold)
    if len(loud) == 0:
        return []
    # Quiet samples before each loud one since the previous loud one.
    quiet_before = np.diff(loud, prepend=-1) - 1
    starts = loud[quiet_before >= round(min_silence_s * recording.rate)]
    return [recording.time_of(int(i)) for i in starts]


def find_sound(
    recording: Recording,
    template: FloatArray,
    near: float,
    before_s: float = 0.1,
    after_s: float = 0.4,
) -> tuple[float, float] | None:
    """Where `template` starts in the recording, searched in [near - before_s,
    near + after_s] by normalised cross-correlation: (monotonic onset time, score in
    0..1), or None if that window is outside the recording. Other sounds mixed over it
    (a beep at the same instant) lower the score but do not move the peak."""
    if recording.start > near + after_s or recording.end < near - before_s:
        return None
    size = len(template)
    first = recording.index_at(near - before_s)
    last = recording.index_at(near + after_s)  # the last start considered, inclusive
    segment = recording.samples[first : last + size].astype(np.float64)
    if len(segment) < size:
        return None
    pattern = np.asarray(template, dtype=np.float64)
    pattern_energy = float(np.dot(pattern, pattern))
    if pattern_energy == 0:
        raise ValueError("the template is silent")
    lags = len(segment) - size + 1
    # Correlation for every lag at once through the FFT (no wrap-around: n >= segment).
    n = 1 << (len(segment) - 1).bit_length()
    spectrum = np.fft.rfft(segment, n) * np.conj(np.fft.rfft(pattern, n))
    correlation = np.fft.irfft(spectrum, n)[:lags]
    energy = np.concatenate(([0.0], np.cumsum(segment * segment)))
    window_energy = np.maximum(energy[size:] - energy[:-size], 0.0)
    denominator = np.sqrt(window_energy * pattern_energy)
    # Silent windows (denominator ~0) score 0 instead of dividing by zero.
    floor = 1e-9 * pattern_energy
    score = np.where(denominator > floor, correlation / np.maximum(denominator, floor), 0.0)
    # Ties go to the earliest: a steady tone matches again whole periods later.
    best = int(np.argmax(score >= score.max() - 1e-6))
    return recording.time_of(first + best), float(np.clip(score[best], 0.0, 1.0))


def load_wav(path: str | os.PathLike[str]) -> FloatArray:
    """A 16-bit PCM WAV at 48 kHz as mono float32 in [-1, 1] (stereo is averaged)."""
    with wave.open(os.fspath(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: {8 * wav.getsampwidth()}-bit, expected 16-bit PCM")
        if wav.getframerate() != RATE:
            raise ValueError(f"{path}: {wav.getframerate()} Hz, expected {RATE}")
        channels = wav.getnchannels()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    frames = pcm.reshape(-1, channels).astype(np.float32) / np.float32(32768)
    mono: FloatArray = frames.mean(axis=1, dtype=np.float32)
    return mono


_app: object = None
"""The QCoreApplication `bare_latencies` made, if any, kept alive for later calls."""


def bare_latencies(
    loopback: PulseLoopback,
    wav_path: str | os.PathLike[str],
    count: int = 20,
    spacing_s: float = 0.5,
    *,
    measure: Literal["start", "onset"] = "start",
) -> list[float]:
    """Play one preloaded QSoundEffect `count` times, `spacing_s` apart, from precise
    timers, and return for each play when it was heard minus the time just before its
    play() call (seconds): the bare QSoundEffect play-to-sound latency.

    "start" (`match_starts`): when the clip's own first sample was heard. "onset"
    (`match_onsets`): when anything was first heard after silence, which for a replay
    is the previous play's held-back tail (see the module's docstring), 11-16 ms early.

    PULSE_SERVER must already be `loopback.server` in os.environ, and must have been
    before anything in the process used QtMultimedia. Runs the Qt event loop; uses the
    existing Q(Gui)Application or creates a QCoreApplication.
    """
    # Imported here so that importing this module never starts QtMultimedia.
    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer, QUrl
    from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

    if os.environ.get("PULSE_SERVER") != loopback.server:
        raise RuntimeError(
            f"PULSE_SERVER is {os.environ.get('PULSE_SERVER')!r}, not {loopback.server!r}: "
            "set it from loopback.env() before QtMultimedia is first used"
        )
    clip = load_wav(wav_path)
    duration = len(clip) / RATE
    if spacing_s < duration + 0.1:
        raise ValueError(f"spacing {spacing_s} s leaves no silence after a {duration:.3f} s clip")
    global _app
    _app = QCoreApplication.instance() or QCoreApplication([])
    outputs = [bytes(device.id().data()) for device in QMediaDevices.audioOutputs()]
    if SINK.encode() not in outputs:
        raise RuntimeError(
            f"Qt's audio outputs are {outputs}, without the null sink {SINK!r}: QtMultimedia "
            "was used before PULSE_SERVER pointed at the loopback"
        )

    effect = QSoundEffect()
    effect.setSource(QUrl.fromLocalFile(os.fspath(Path(wav_path).resolve())))
    deadline = time.monotonic() + 5.0
    while effect.status() not in (QSoundEffect.Status.Ready, QSoundEffect.Status.Error):
        if time.monotonic() > deadline:
            raise RuntimeError(f"QSoundEffect did not load {wav_path} within 5 s")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        time.sleep(0.005)
    if effect.status() == QSoundEffect.Status.Error:
        raise RuntimeError(f"QSoundEffect could not load {wav_path}")

    plays: list[float] = []

    def play() -> None:
        plays.append(time.monotonic())
        effect.play()

    loop = QEventLoop()
    timers: list[QTimer] = []
    with loopback.record() as recorder:
        # The last timer (one more spacing on) ends the loop after the last sound's tail.
        for i in range(count + 1):
            timer = QTimer()
            timer.setSingleShot(True)
            timer.setTimerType(Qt.TimerType.PreciseTimer)
            timer.timeout.connect(play if i < count else loop.quit)
            timer.start(round(1000 * spacing_s * (i + 1)))
            timers.append(timer)
        loop.exec()
    for timer in timers:
        timer.stop()
    effect.stop()
    if measure == "onset":
        return match_onsets(plays, onsets(recorder.recording))
    return match_starts(recorder.recording, clip, plays)


def match_onsets(
    plays: list[float], found: list[float], window: tuple[float, float] = (-0.005, 0.1)
) -> list[float]:
    """For each play time, the first onset within `window` after it, minus the play
    time. A play with no such onset is an error (the sound was lost or too quiet)."""
    latencies = []
    for number, played in enumerate(plays):
        near = [t for t in found if played + window[0] <= t <= played + window[1]]
        if not near:
            relative = ", ".join(f"{1000 * (t - plays[0]):.1f}" for t in found)
            raise RuntimeError(
                f"no onset within {window} s of play {number} "
                f"(at +{1000 * (played - plays[0]):.1f} ms; onsets at ms: {relative})"
            )
        latencies.append(near[0] - played)
    return latencies


def match_starts(
    recording: Recording,
    clip: FloatArray,
    plays: list[float],
    window: tuple[float, float] = (-0.005, 0.1),
    min_score: float = 0.5,
) -> list[float]:
    """For each play time, where `clip` itself starts within `window` after it (by
    `find_sound`), minus the play time. No match scoring `min_score` is an error.

    Only the clip's head is matched: Qt holds the end of a clip back (see the module's
    docstring), and a tone cut short matches equally well a few periods early."""
    head = clip[: min(len(clip) // 2, round(0.1 * RATE))]
    latencies = []
    for number, played in enumerate(plays):
        found = find_sound(recording, head, played, before_s=-window[0], after_s=window[1])
        if found is None or found[1] < min_score:
            raise RuntimeError(f"play {number} not found in the recording: {found}")
        latencies.append(found[0] - played)
    return latencies
