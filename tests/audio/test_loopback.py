"""The audio harness itself: what QSoundEffect plays is heard, on time, and a clip is
found again under a beep."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pulse import (
    RATE,
    PulseLoopback,
    Recording,
    bare_latencies,
    find_sound,
    match_onsets,
    match_starts,
    onsets,
)
from PySide6.QtWidgets import QApplication


def tone(frequency: float, seconds: float, amplitude: float = 0.5) -> NDArray[np.float32]:
    t = np.arange(round(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def spoken_word(seed: int) -> NDArray[np.float32]:
    """Something like a word: a 50 ms noise burst, then 250 ms of a voice whose pitch
    glides down, in an envelope."""
    rng = np.random.default_rng(seed)
    burst = rng.normal(0, 0.15, round(0.05 * RATE))
    t = np.arange(round(0.25 * RATE)) / RATE
    phase = 2 * np.pi * np.cumsum(np.linspace(150, 110, len(t))) / RATE
    voice = sum(np.sin(h * phase) / h for h in range(1, 12)) * np.sin(np.pi * t / t[-1])
    return (0.3 * np.concatenate([burst, voice])).astype(np.float32)


def write_wav(path: Path, samples: NDArray[np.float32]) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def synthetic_recording(samples: NDArray[np.float32], t0: float, chunk: int) -> Recording:
    """As parec would deliver it: `chunk` samples at a time, each arriving as soon as
    its last sample has played (the first sample plays at t0)."""
    ends = np.arange(chunk, len(samples) + chunk, chunk).clip(max=len(samples))
    return Recording(samples, RATE, t0 + ends / RATE, ends.astype(np.int64))


def test_qsoundeffect_plays_are_heard_promptly(
    pulse: PulseLoopback, qapp: QApplication, tmp_path: Path
) -> None:
    beep = write_wav(tmp_path / "beep.wav", tone(880, 0.1))
    # A second, independent recording of the same plays: every play is one onset.
    with pulse.record() as recorder:
        latencies = bare_latencies(pulse, beep, count=10, spacing_s=0.3)
    print("play-to-start latencies (ms):", [round(1000 * s, 2) for s in latencies])
    assert len(latencies) == 10
    assert all(-0.002 <= s <= 0.040 for s in latencies), latencies
    assert len(onsets(recorder.recording)) == 10


def test_find_sound_under_a_beep_to_the_millisecond() -> None:
    rng = np.random.default_rng(1)
    t0 = 1000.0
    samples = rng.normal(0, 0.002, 2 * RATE).astype(np.float32)
    word = spoken_word(seed=2)
    start = 33617  # 0.70035 s in, not on a chunk boundary
    samples[start : start + len(word)] += word
    samples[start : start + 4800] += tone(1000, 0.1)  # the beep, louder than the word
    # Decoys in the same window: another word and a beep alone.
    samples[start - 4000 : start - 4000 + len(word)] += spoken_word(seed=3)
    samples[start + 18000 : start + 22800] += tone(1000, 0.1)
    recording = synthetic_recording(samples, t0, chunk=48)

    found = find_sound(recording, word, near=t0 + 0.75)

    assert found is not None
    onset, score = found
    assert abs(onset - (t0 + start / RATE)) <= 0.001
    assert score > 0.5
    assert find_sound(recording, word, near=t0 + 5.0) is None
    assert find_sound(recording, word, near=t0 - 1.0) is None


def test_a_replay_is_timed_from_the_clip_not_the_leftover_tail() -> None:
    # What Qt 6.11 plays on a replay: the end of the previous play (held back), a
    # short gap, then the clip without its end.
    beep = tone(880, 0.1)
    t0, played, start = 50.0, 50.5, round(0.502 * RATE) + 10
    samples = np.zeros(RATE, dtype=np.float32)
    samples[start : start + 576] = beep[-576:]
    samples[start + 768 : start + 768 + len(beep) - 576] = beep[:-576]
    recording = synthetic_recording(samples, t0, chunk=48)

    [heard] = match_onsets([played], onsets(recording))
    [clip] = match_starts(recording, beep, [played])

    tail_at = t0 + start / RATE - played
    assert 0 <= heard - tail_at <= 0.001
    assert 0 <= clip - (tail_at + 768 / RATE) <= 0.001
