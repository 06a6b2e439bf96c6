#!/usr/bin/env python3
"""Make the cue sounds: every clip of `retrocoach.coach.speech.CLIPS` spoken by espeak-ng,
and the four beeps synthesised, all trimmed, normalised and written as 48 kHz mono
16-bit WAV next to this script; then `SOUNDS.md` lists every file with what it says.

    python assets/sounds/make_sounds.py          # needs espeak-ng and sox (Debian)

The files are committed: the app never needs a speech engine. 48 kHz is the rate sound
servers mix at, so nothing is resampled on the way out; the leading silence is cut so a
clip's sound starts on its first sample, which is how "one" lands on the change.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from retrocoach.coach.speech import CLIPS, Beep, file_name  # noqa: E402

RATE = 48_000
VOICE = "en-gb"  # espeak-ng's clearest English voice
WORDS_PER_MINUTE = "165"  # a little slower than espeak's 175: heard over a running belt
SPEECH_PEAK_DB = "-3"  # speech peaks here; beeps sit lower so they can mix over it
BEEP_PEAK_DB = "-9"

# sox `synth` arguments for each beep, and what it is for (listed in SOUNDS.md).
BEEPS: dict[Beep, tuple[list[str], str]] = {
    Beep.TICK: (["0.09", "sine", "880"], "countdown tick (three, two): short, mid pitch"),
    Beep.GO: (["0.20", "sine", "1320"], "go (one, the change itself): longer, higher"),
    Beep.SEGMENT_END: (
        ["0.32", "sine", "988:659"],
        "segment end, turn-around, session complete: a falling tone",
    ),
    Beep.WARNING: (["0.45", "square", "740", "tremolo", "12", "100"], "warning: a buzz"),
}


def main() -> int:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"make_sounds: {tool} is missing (Debian: apt-get install {tool})")
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        for stem, words in CLIPS.items():
            run("espeak-ng", "-v", VOICE, "-s", WORDS_PER_MINUTE, "-w", str(raw), words)
            finish(raw, HERE / file_name(stem), SPEECH_PEAK_DB, trim=True)
        for beep, (synth, _) in BEEPS.items():
            blank = ["-n", "-r", str(RATE), "-c", "1", "-b", "16"]
            run("sox", "-D", *blank, str(raw), "synth", *synth)
            finish(raw, HERE / file_name(beep.value), BEEP_PEAK_DB, trim=False)
    write_listing()
    print(f"make_sounds: {len(CLIPS) + len(BEEPS)} files in {HERE.name}/, listed in SOUNDS.md")
    return 0


def finish(source: Path, target: Path, peak_db: str, *, trim: bool) -> None:
    """48 kHz mono 16-bit, silence cut at both ends, peak-normalised, 3 ms fades (no
    clicks). `-D`: no dither, so the same input always gives the same file."""
    effects: list[str] = []
    if trim:  # cut silence at the start, then (reversed) at the end
        cut = ["silence", "1", "0.005", "0.3%"]
        effects += [*cut, "reverse", *cut, "reverse"]
    fade = ["fade", "t", "0.003"]
    effects += ["rate", "-v", str(RATE), "norm", peak_db, *fade, "reverse", *fade, "reverse"]
    run("sox", "-D", str(source), "-r", str(RATE), "-c", "1", "-b", "16", str(target), *effects)


def write_listing() -> None:
    lines = [
        "# The cue sounds",
        "",
        "Made by `make_sounds.py` (espeak-ng voice "
        f"`{VOICE}` at {WORDS_PER_MINUTE} words a minute, and sox); 48 kHz mono 16-bit WAV.",
        "The app plays a cue as its beep, at once, and its clips one after another",
        "(`retrocoach/coach/cues.py` says which; numbers are put together from the `n…`",
        'clips: 5.5 is `n5` `point` `n5`, "five point five").',
        "",
        "| file | says | seconds |",
        "|---|---|---|",
    ]
    for beep, (_, what) in BEEPS.items():
        lines.append(f"| `{file_name(beep.value)}` | ({what}) | {seconds(beep.value):.2f} |")
    for stem, words in CLIPS.items():
        lines.append(f"| `{file_name(stem)}` | {words} | {seconds(stem):.2f} |")
    (HERE / "SOUNDS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def seconds(stem: str) -> float:
    with wave.open(str(HERE / file_name(stem)), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


if __name__ == "__main__":
    raise SystemExit(main())
