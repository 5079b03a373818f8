"""Rebuild the placeholder clips in clips/media/ and clips/catalog.json.

    .venv/bin/python clips/placeholders.py

Three short stand-in clips so the player, recorder and apps can be built and tested before the
real synthesised library exists (it will replace these files; nothing may depend on their ids).
Each is a calm illustrated room with a seated client whose mouth follows a soft, hummed
"murmur" track (no words are spoken: the line is in the captions and transcript). Encoded the
web-safe way (RECIPES.md, Media): H.264 High yuv420p 854x480 24 fps CRF 28, AAC-LC, +faststart.
Everything is seeded, and x264 runs single-threaded so rebuilds are byte-identical.
"""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
W, H, FPS, RATE = 854, 480, 24, 48_000
LEAD_IN_S, TAIL_S, SENTENCE_GAP_S = 1.0, 1.5, 0.35

PERSONAS = {
    "maya": {"name": "Maya", "age": 34, "gender": "woman", "skin_tone": "medium-brown",
             "description": "Graphic designer; came to therapy for panic attacks on the commute."},
    "tom": {"name": "Tom", "age": 58, "gender": "man", "skin_tone": "light",
            "description": "Recently retired engineer; low mood and poor sleep since retiring."},
    "grace": {"name": "Grace", "age": 45, "gender": "woman", "skin_tone": "dark-brown",
              "description": "Ward nurse; long-standing conflict with her sister, feels unheard."},
}

# How each persona is drawn: skin, hair, top, and the room they sit in.
LOOKS = {
    "maya": dict(skin=(160, 112, 80), hair=(40, 28, 24), hair_style="long", top=(86, 120, 140),
                 wall=(222, 214, 200), chair=(120, 96, 80), f0=195.0),
    "tom": dict(skin=(232, 196, 170), hair=(170, 170, 168), hair_style="short", top=(120, 110, 90),
                wall=(205, 215, 210), chair=(90, 100, 120), f0=115.0),
    "grace": dict(skin=(96, 64, 48), hair=(24, 20, 20), hair_style="bun", top=(140, 80, 90),
                  wall=(228, 220, 226), chair=(100, 120, 100), f0=185.0),
}

CLIPS = [
    {
        "id": "placeholder-c3-beginner-maya", "title": "How does my childhood help?",
        "persona": "maya", "marker": "C3", "salience": 4, "level": "beginner",
        "context": "Session 4. You have just asked Maya about her relationship with her father.",
        "sentences": ["I don't really see how talking about my childhood is going to help "
                      "with the panic attacks.", "That's what I came here for."],
        "chars_per_s": 15.0, "seed": 3,
        "examples": [
            {"text": "That's a fair question, and I'm glad you asked it. I went there because "
                     "early experiences can shape how the body reacts to threat, but if it feels "
                     "disconnected from the panic, I'd rather hear that. What would feel most "
                     "useful to you right now?", "strategies": ["S3", "S4"]},
            {"text": "You came here for the panic attacks, and it sounds like I headed somewhere "
                     "that felt off-track. Let's go back to the last attack you had on the train, "
                     "and only come back to the past if it seems to matter.",
             "strategies": ["S5", "S2"]},
        ],
    },
    {
        "id": "placeholder-w1-intermediate-tom", "title": "I'm fine with it. Really.",
        "persona": "tom", "marker": "W1", "salience": 3, "level": "intermediate",
        "context": "Session 7. You have suggested Tom keep a thought record this week; he pauses "
                   "before answering.",
        "sentences": ["No, no, that's fine.", "I'm fine with it.", "Really.", "I'll give it a go."],
        "chars_per_s": 11.0, "seed": 1,
        "examples": [
            {"text": "I noticed you paused before you said yes. I wonder if part of you has some "
                     "doubts about the thought record. I'd really like to hear them, even small "
                     "ones.", "strategies": ["S4"]},
            {"text": "It would be completely all right to tell me this doesn't fit. Plenty of "
                     "people find writing things down a chore, and that makes sense. What's your "
                     "honest take on it?", "strategies": ["S8", "S4"]},
        ],
    },
    {
        "id": "placeholder-c1-advanced-grace", "title": "You don't get it.",
        "persona": "grace", "marker": "C1", "salience": 5, "level": "advanced",
        "context": "Session 11. You have just suggested that Grace seems angry with her sister.",
        "sentences": ["You don't seem to get what I'm telling you.", "Every week I explain it, "
                      "and every week you turn it back into something about me."],
        "chars_per_s": 16.0, "seed": 11,
        "examples": [
            {"text": "You're right that I keep missing something, and I'm sorry. It must be "
                     "frustrating to explain it again and still not feel heard. Can you help me "
                     "see what I'm getting wrong?", "strategies": ["S5", "S4"]},
            {"text": "I can hear how fed up you are with me right now, and I'd rather we talk "
                     "about that than move past it. I notice I want to explain myself, and I'd "
                     "rather understand you. What is it like, telling me and not being understood?",
             "strategies": ["S6", "S4", "S8"]},
        ],
    },
]


def timeline(clip: dict) -> tuple[list[tuple[float, float, str]], float]:
    """Cue spans (start, end, sentence) and the clip length, from a speaking rate."""
    t, cues = LEAD_IN_S, []
    for s in clip["sentences"]:
        d = max(0.8, len(s) / clip["chars_per_s"])
        cues.append((round(t, 3), round(t + d, 3), s))
        t += d + SENTENCE_GAP_S
    return cues, math.ceil((t - SENTENCE_GAP_S + TAIL_S) * FPS) / FPS


def murmur(cues, duration: float, f0: float, rng: np.random.Generator) -> np.ndarray:
    """A quiet hummed murmur with syllable rhythm and falling intonation; returns the envelope
    too (one value per sample) so the mouth can follow it."""
    n = int(round(duration * RATE))
    t = np.arange(n) / RATE
    env = np.zeros(n)
    pitch = np.full(n, f0)
    for start, end, _ in cues:
        s = start
        while s < end - 0.1:  # syllables of 0.15-0.3 s, a few dropped for word gaps
            d = rng.uniform(0.15, 0.3)
            i0, i1 = int(s * RATE), min(int((s + d) * RATE), n)
            if rng.random() > 0.12:
                env[i0:i1] = np.maximum(env[i0:i1], rng.uniform(0.6, 1.0) * np.hanning(i1 - i0))
            s += d
        i0, i1 = int(start * RATE), int(end * RATE)
        pitch[i0:i1] = f0 * np.linspace(1.12, 0.88, i1 - i0)  # a statement's falling contour
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    voice = sum(np.sin(k * phase) / k ** 1.3 for k in range(1, 9))
    room = np.cumsum(rng.normal(0, 1, n))  # brown-noise room tone, de-trended below
    room = (room - np.convolve(room, np.ones(4801) / 4801, mode="same")) * 0.0004
    audio = 0.12 * voice / np.abs(voice).max() * env + room
    return audio.astype(np.float32), env


def draw_room(look: dict) -> tuple[Image.Image, dict]:
    im = Image.new("RGB", (W, H), look["wall"])
    d = ImageDraw.Draw(im)
    d.rectangle([0, 340, W, H], fill=tuple(int(c * 0.72) for c in look["wall"]))  # floor
    frame_col = (170, 160, 150)
    d.rectangle([60, 70, 230, 250], fill=(236, 242, 248), outline=frame_col, width=6)  # window
    d.line([145, 70, 145, 250], fill=frame_col, width=4)
    d.rectangle([640, 90, 760, 180], fill=(196, 176, 150), outline=(140, 120, 100), width=5)  # art
    d.ellipse([668, 110, 732, 160], fill=(150, 170, 160))
    d.rectangle([90, 300, 140, 360], fill=(150, 110, 90))  # plant pot
    for dx, dy in ((-30, -70), (0, -90), (30, -65), (-12, -50), (18, -45)):
        d.ellipse([115 + dx - 18, 300 + dy - 30, 115 + dx + 18, 300 + dy + 30], fill=(96, 140, 100))
    cx = W // 2
    d.rounded_rectangle([cx - 150, 200, cx + 150, 400], 40, fill=look["chair"])  # armchair
    d.rounded_rectangle([cx - 185, 280, cx - 125, 410], 24, fill=look["chair"])
    d.rounded_rectangle([cx + 125, 280, cx + 185, 410], 24, fill=look["chair"])
    d.rounded_rectangle([cx - 95, 360, cx - 35, 470], 20, fill=(70, 70, 84))  # legs
    d.rounded_rectangle([cx + 35, 360, cx + 95, 470], 20, fill=(70, 70, 84))
    if look["hair_style"] == "long":  # behind the shoulders
        d.rounded_rectangle([cx - 64, 90, cx + 64, 270], 40, fill=look["hair"])
    d.rounded_rectangle([cx - 100, 230, cx + 100, 390], 50, fill=look["top"])  # torso
    d.rectangle([cx - 18, 195, cx + 18, 240], fill=look["skin"])  # neck
    head = (cx - 52, 95, cx + 52, 215)
    if look["hair_style"] == "bun":
        d.ellipse([cx - 30, 62, cx + 30, 112], fill=look["hair"])
    d.ellipse(head, fill=look["skin"])
    short = look["hair_style"] == "short"
    cap = [cx - 54, 90, cx + 54, 140] if short else [cx - 56, 88, cx + 56, 160]
    d.chord(cap, 180, 360, fill=look["hair"])
    return im, {"cx": cx, "eye_y": 152, "mouth_y": 188}


def draw_face(room: Image.Image, geo: dict, mouth: float, blink: bool) -> Image.Image:
    im = room.copy()
    d = ImageDraw.Draw(im)
    cx, ey, my = geo["cx"], geo["eye_y"], geo["mouth_y"]
    for ex in (cx - 22, cx + 22):
        if blink:
            d.line([ex - 7, ey, ex + 7, ey], fill=(40, 30, 30), width=2)
        else:
            d.ellipse([ex - 5, ey - 4, ex + 5, ey + 4], fill=(40, 30, 30))
        d.line([ex - 9, ey - 13, ex + 9, ey - 14], fill=(50, 36, 30), width=3)  # level brows: calm
    h = 2 + 9 * mouth
    d.ellipse([cx - 13, my - h / 2, cx + 13, my + h / 2], fill=(110, 50, 50))
    return im


def encode(path: Path, frames, audio: np.ndarray) -> None:
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        v = out.add_stream("libx264", rate=FPS)
        v.width, v.height, v.pix_fmt = W, H, "yuv420p"
        v.options = {"crf": "28", "preset": "medium", "profile": "high", "level": "3.1",
                     "threads": "1"}  # single-threaded x264 is deterministic
        a = out.add_stream("aac", rate=RATE, layout="mono")
        a.bit_rate = 64_000
        samples_per_frame, sent = RATE // FPS, 0
        for i, img in enumerate(frames):
            frame = av.VideoFrame.from_image(img).reformat(format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            out.mux(v.encode(frame))
            # Keep the audio in step with the video so the file interleaves well for streaming.
            while sent < min((i + 1) * samples_per_frame, len(audio)):
                chunk = audio[sent:sent + 1024]
                af = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
                af.sample_rate, af.pts, af.time_base = RATE, sent, Fraction(1, RATE)
                out.mux(a.encode(af))
                sent += len(chunk)
        out.mux(v.encode(None))
        out.mux(a.encode(None))


def vtt_time(t: float) -> str:
    ms = int(round(t * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def build(clip: dict, media: Path) -> dict:
    look, rng = LOOKS[clip["persona"]], np.random.default_rng(clip["seed"])
    cues, duration = timeline(clip)
    audio, env = murmur(cues, duration, look["f0"], rng)
    room, geo = draw_room(look)
    n_frames = int(round(duration * FPS))
    blinks = {int(s * FPS) + k for s in np.arange(0.7, duration, 3.7) for k in range(3)}

    def frames():
        for i in range(n_frames):
            level = env[int(i / FPS * RATE):int((i + 1) / FPS * RATE)].mean()
            yield draw_face(room, geo, float(level), i in blinks)

    cid = clip["id"]
    encode(media / f"{cid}.mp4", frames(), audio)
    (media / f"{cid}.vtt").write_text(
        "WEBVTT\n\n" + "\n".join(f"{i}\n{vtt_time(s)} --> {vtt_time(e)}\n{text}\n"
                                 for i, (s, e, text) in enumerate(cues, 1)), encoding="utf-8")
    draw_face(room, geo, 0.0, False).save(media / f"{cid}.jpg", quality=82)
    with av.open(str(media / f"{cid}.mp4")) as c:  # the catalog records what was really written
        real = c.duration / av.time_base
    keep = ("id", "title", "persona", "marker", "salience", "level", "context")
    return {**{k: clip[k] for k in keep}, "duration_s": round(real, 2),
            "media": f"media/{cid}.mp4", "captions": f"media/{cid}.vtt",
            "poster": f"media/{cid}.jpg",
            "transcript": " ".join(clip["sentences"]), "examples": clip["examples"]}


def main() -> None:
    media = HERE / "media"
    media.mkdir(exist_ok=True)
    entries = [build(c, media) for c in CLIPS]
    catalog = {"schema_version": 1, "personas": PERSONAS, "clips": entries}
    (HERE / "catalog.json").write_text(json.dumps(catalog, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    for e in entries:
        size = (HERE / e["media"]).stat().st_size
        print(f"{e['id']}: {e['duration_s']} s, {size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
