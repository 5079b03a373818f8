"""The vad_* columns: latency and speaking time measured from each recording's own audio.

The measuring is ``rupture_widgets.research.timing.measure_recording(path) -> (onset_s,
speaking_s)`` (the voice-activity detector, its frame size, aggressiveness and smoothing are
documented there); this module only walks the attempts and fills the two columns, so that
``load_attempts(source, audio=True)`` works once that module is installed and says plainly
what is missing before.
"""
from __future__ import annotations

import logging

import pandas as pd

from ..errors import ResearchError
from .sources import TraineeRecords, with_progress

log = logging.getLogger(__name__)


def add_audio_timing(attempts, records: list[TraineeRecords], progress: bool | None) -> None:
    """Fill ``vad_latency_s`` and ``vad_speaking_s`` of ``attempts`` in place. An attempt
    without a recording, or whose recording cannot be measured, keeps them missing (logged)."""
    try:
        from .timing import measure_recording
    except ImportError as e:
        raise ResearchError("Measuring timing from the audio needs "
                            "rupture_widgets.research.timing, which this installation does not "
                            f"have ({e}); load without audio=True.") from None
    holders = {r["id"]: t.holder_of(r["id"]) for t in records for r in t.records}
    onsets, speaking = [], []
    for attempt_id in with_progress(list(attempts["attempt_id"]), progress, "recordings"):
        holder = holders.get(attempt_id)
        path = holder.recording_path(attempt_id) if holder is not None else None
        onset = spoken = None
        if path is not None:
            try:
                onset, spoken = measure_recording(path)
            except Exception as e:  # one damaged recording must not stop a study's load
                log.warning("Could not measure the audio of %s: %s", path, e)
        onsets.append(onset)
        speaking.append(spoken)
    attempts["vad_latency_s"] = pd.Series(onsets, dtype="Float64", index=attempts.index)
    attempts["vad_speaking_s"] = pd.Series(speaking, dtype="Float64", index=attempts.index)
