"""Audio cues: the engine's cues heard as beeps and recorded prompts (QtMultimedia).

    player = CuePlayer.for_system(AudioSettings(volume=70))
    station.sinks.insert(0, player)   # first: a cue is started before anything else runs

Without an audio device or QtMultimedia the player is silent and `warn_if_silent()`
gives the one warning to show.
"""

from retrocoach.audio.player import MAX_AUDIBLE_SPEEDUP, AudioSettings, CuePlayer

__all__ = ["MAX_AUDIBLE_SPEEDUP", "AudioSettings", "CuePlayer"]
