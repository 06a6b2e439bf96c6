"""Audio cues: the engine's cues heard as beeps and recorded prompts (QtMultimedia).

    player = CuePlayer.for_system(AudioSettings(volume=70))
    station.sinks.insert(0, player)   # first: a cue is started before anything else runs

In gym mode one `RoomAnnouncer` speaks for every station (`announcer.sink(n)` in station
n's sinks): what everyone hears once, a member's own cue with their station's number.

Without an audio device or QtMultimedia the player is silent and `warn_if_silent()`
gives the one warning to show.
"""

from retrocoach.audio.player import MAX_AUDIBLE_SPEEDUP, AudioSettings, CuePlayer
from retrocoach.audio.room import RoomAnnouncer

__all__ = ["MAX_AUDIBLE_SPEEDUP", "AudioSettings", "CuePlayer", "RoomAnnouncer"]
