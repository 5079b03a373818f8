"""Shipped clips copied into a test library and broken one way each, for the quality-stage tests.

A copy keeps the real synthesised voice and face (which the measures are about); the edits are
made with PyAV: the audio re-encoded with a gain, or the frames re-encoded with the pixels of a
feature painted over.
"""
from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

CLIPS = Path(__file__).resolve().parents[1] / "clips"
SHIPPED = json.loads((CLIPS / "catalog.json").read_text(encoding="utf-8"))

#: Captions that every measure passes: two cues of 2 s, 10-11 characters per second, 1 s apart.
CLEAN_VTT = ("WEBVTT\n\n00:01.000 --> 00:03.000\nHonestly, I tried it.\n\n"
             "00:04.000 --> 00:06.000\nIt felt a bit pointless.\n")


def copy_clip(root: Path, source_id: str, clip_id: str, persona: str | None = None,
              gain_db: float = 0.0) -> dict:
    """Copy a shipped clip (media, clean captions, poster, script) as ``clip_id``; its audio
    re-encoded ``gain_db`` louder; voiced by ``persona`` (a copy of the original persona)."""
    entry = dict(next(e for e in SHIPPED["clips"] if e["id"] == source_id))
    (root / "media").mkdir(parents=True, exist_ok=True)
    (root / "scripts" / "personas").mkdir(parents=True, exist_ok=True)
    src = CLIPS / entry["media"]
    dst = root / "media" / f"{clip_id}.mp4"
    if gain_db:
        with_gain(src, dst, gain_db)
    else:
        shutil.copyfile(src, dst)
    (root / "media" / f"{clip_id}.vtt").write_text(CLEAN_VTT, encoding="utf-8")
    shutil.copyfile(CLIPS / entry["poster"], root / "media" / f"{clip_id}.jpg")
    script = json.loads((CLIPS / entry["script"]).read_text(encoding="utf-8"))
    persona = persona or entry["persona"]
    original = json.loads((CLIPS / "scripts" / "personas" / f"{entry['persona']}.json")
                          .read_text(encoding="utf-8"))
    (root / "scripts" / "personas" / f"{persona}.json").write_text(
        json.dumps({**original, "id": persona}), encoding="utf-8")
    script.update(id=clip_id, persona=persona)
    (root / "scripts" / f"{clip_id}.json").write_text(json.dumps(script), encoding="utf-8")
    entry.update(id=clip_id, persona=persona, media=f"media/{clip_id}.mp4",
                 captions=f"media/{clip_id}.vtt", poster=f"media/{clip_id}.jpg",
                 script=f"scripts/{clip_id}.json")
    entry["_persona_entry"] = dict(SHIPPED["personas"][original["id"]])
    return entry


def write_library(root: Path, entries: list[dict]) -> None:
    personas = {e["persona"]: e.pop("_persona_entry") for e in entries}
    catalog = {"schema_version": 1, "personas": personas, "clips": entries}
    (root / "catalog.json").write_text(json.dumps(catalog, indent=1), encoding="utf-8")


def with_gain(src: Path, dst: Path, gain_db: float) -> None:
    """``src`` with its audio ``gain_db`` louder (AAC re-encoded), its video packets as they are."""
    gain = 10 ** (gain_db / 20)
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4",
                                           options={"movflags": "+faststart"}) as out:
        vin, ain = inp.streams.video[0], inp.streams.audio[0]
        vout = out.add_stream_from_template(vin)
        rate = ain.codec_context.sample_rate
        aout = out.add_stream("aac", rate=rate, layout="mono")
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=rate)
        sent = 0
        for packet in inp.demux(vin, ain):
            if packet.stream is vin:
                if packet.dts is not None:
                    packet.stream = vout
                    out.mux(packet)
                continue
            for frame in packet.decode():
                for f in resampler.resample(frame):
                    sent = _encode_audio(out, aout, f.to_ndarray() * gain, rate, sent)
        out.mux(aout.encode(None))


def _encode_audio(out, stream, samples: np.ndarray, rate: int, pts: int) -> int:
    frame = av.AudioFrame.from_ndarray(np.clip(samples, -1, 1).astype(np.float32),
                                       format="fltp", layout="mono")
    frame.sample_rate, frame.pts, frame.time_base = rate, pts, Fraction(1, rate)
    out.mux(stream.encode(frame))
    return pts + samples.shape[1]


def repaint(src: Path, dst: Path, mask: np.ndarray, until_s: float) -> None:
    """``src`` with the pixels under ``mask`` painted the mean colour of the ring around them in
    every frame before ``until_s`` (the avatar's rest, where the mask holds); audio copied."""
    from rupture_widgets.library.faces import RING_INNER_PX, RING_OUTER_PX, dilate

    ring = dilate(mask, RING_OUTER_PX) & ~dilate(mask, RING_INNER_PX)
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4",
                                           options={"movflags": "+faststart"}) as out:
        vin, ain = inp.streams.video[0], inp.streams.audio[0]
        vout = out.add_stream("libx264", rate=vin.average_rate)
        vout.width, vout.height, vout.pix_fmt = vin.width, vin.height, "yuv420p"
        vout.options = {"preset": "ultrafast", "crf": "18"}
        aout = out.add_stream_from_template(ain)
        fps, i = Fraction(vin.average_rate), 0
        for packet in inp.demux(vin, ain):
            if packet.stream is ain:
                if packet.dts is not None:
                    packet.stream = aout
                    out.mux(packet)
                continue
            for frame in packet.decode():
                rgb = frame.to_ndarray(format="rgb24")
                if frame.time is not None and frame.time < until_s:
                    rgb[mask] = rgb[ring].mean(axis=0).round().astype(np.uint8)
                new = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
                new.pts, new.time_base = i, 1 / fps
                i += 1
                out.mux(vout.encode(new))
        out.mux(vout.encode(None))
