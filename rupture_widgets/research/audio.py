"""The vad_* columns: latency and speaking time measured from each recording's own audio.

The measuring is ``rupture_widgets.research.timing.measure_recording(path)`` (the
voice-activity detector, its frame size, aggressiveness and smoothing are documented there);
this module only walks the attempts and fills the two columns. Latency is from the answer's cue
(the clip's end) to the first speech: the recorder logs the cue-to-recording gap as ``cue_s``,
the detector finds the onset in the recording; an attempt logged without ``cue_s`` (an older
version) has its speaking time but no latency, rather than a guess.
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
    cues = {r["id"]: r.get("cue_s") for t in records for r in t.records}
    latency, speaking = [], []
    for attempt_id in with_progress(list(attempts["attempt_id"]), progress, "recordings"):
        holder = holders.get(attempt_id)
        path = holder.recording_path(attempt_id) if holder is not None else None
        lat = spoken = None
        if path is not None:
            try:
                timing = measure_recording(path)
            except Exception as e:  # one damaged recording must not stop a study's load
                log.warning("Could not measure the audio of %s: %s", path, e)
            else:
                spoken = timing.speaking_s
                cue = cues.get(attempt_id)
                if cue is not None and timing.onset_s is not None:
                    lat = cue + timing.onset_s
        latency.append(lat)
        speaking.append(spoken)
    attempts["vad_latency_s"] = pd.Series(latency, dtype="Float64", index=attempts.index)
    attempts["vad_speaking_s"] = pd.Series(speaking, dtype="Float64", index=attempts.index)
