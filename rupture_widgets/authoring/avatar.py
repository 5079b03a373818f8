"""The client on screen: an illustrated person seated in a therapy room, drawn with Pillow, who
breathes, moves their head a little and speaks with mouth shapes that follow the sounds.

The still layers (``figure``: hair, body, head) are drawn once per clip at twice the output size.
The body is pre-drawn at four heights of the breath (half-pixel steps), so breathing costs a copy.
Each frame composes only a region around the head: the head layer at the frame's small offset,
the features (``face``: brows, lids, eyes, mouth) on it, the front hair and glasses over them, then
a box-reduce, which gives clean anti-aliased edges and half-pixel motion. Blinks, drift and eye
movements come from the clip's seeded generator, so a rebuild draws the same pixels.
"""
from __future__ import annotations

import math
from typing import Iterator

import numpy as np
from PIL import Image, ImageDraw

from .face import FACES, GAZE, Face, Palette, blend, draw_eyes, draw_mouth, face_for
from .figure import Figure, _c
from .room import CX, HY, H, S, W, draw_room
from .script import Persona
from .visemes import CLOSED, MouthShape, mouth_shapes
from .voice import Speech

__all__ = ["W", "H", "animate", "Client", "FACES", "GAZE", "feature_masks", "AT_REST_S"]

#: The head holds still (no drift, no breath) this long at the start, with the mouth closed, so a
#: check finds the features where ``feature_masks`` says.
AT_REST_S = 0.5
BREATH_STEPS = 4            # body heights pre-drawn: 0, 0.5, 1 and 1.5 output px up
REGION = (316, 56, 538, 292)  # output px around the head, shoulders excluded (even: 2x reduce)
MARGIN = 8                  # canvas px of room the head may move in each direction


class Client:
    """One persona, drawn in one room; ``frame(...)`` gives an output-size RGB image."""

    def __init__(self, persona: Persona, room: str):
        fig = Figure(persona.look, persona.age)
        self.palette = Palette.of(persona.look, fig.hair)
        self.full_beard = persona.look.beard == "full"
        rx0, ry0, rx1, ry1 = (v * S for v in REGION)
        self.statics, self.regions = [], []
        for k in range(BREATH_STEPS):  # the chest rises: at rest the body sits 3 canvas px low
            canvas = draw_room(room).convert("RGBA")
            canvas.alpha_composite(fig.back_hair)
            canvas.alpha_composite(fig.body, dest=(0, BREATH_STEPS - 1 - k))
            self.regions.append(canvas.crop((rx0, ry0, rx1, ry1)))
            self.statics.append(canvas.convert("RGB").reduce(S))
        inner = (rx0 + MARGIN, ry0 + MARGIN, rx1 - MARGIN, ry1 - MARGIN)
        self.head = fig.head.crop(inner)
        self.front = fig.front_hair.crop(inner)

    def frame(self, face: Face, gaze: tuple[float, float, float, float, float], blink: float,
              shape: MouthShape = CLOSED, breath: int = 0, head: tuple[int, int] = (0, 0),
              omit: tuple[str, ...] = ()) -> Image.Image:
        """One frame: ``breath`` is the body height step, ``head`` the head's offset in canvas px
        (each at most MARGIN), ``omit`` features left undrawn (to find where they are)."""
        dx, dy = head
        region = self.regions[breath].copy()
        region.alpha_composite(self.head, dest=(MARGIN + dx, MARGIN + dy))
        d = ImageDraw.Draw(region)
        ox, oy = REGION[0] * S - dx, REGION[1] * S - dy

        def p(*v: float) -> list[float]:  # client coordinates -> region px (supersampled)
            return [c - (ox if i % 2 == 0 else oy) for i, c in enumerate(_c(*v))]

        draw_eyes(region, d, p, self.palette, face, gaze, blink, (CX, HY),
                  brows="brows" not in omit)
        if "mouth" not in omit:
            fx, fy = gaze[3], gaze[4]
            draw_mouth(d, p, self.palette, face, shape, (CX + fx * 0.7, HY + 34 + fy * 0.6),
                       self.full_beard)
        region.alpha_composite(self.front, dest=(MARGIN + dx, MARGIN + dy))
        out = self.statics[breath].copy()
        out.paste(region.convert("RGB").reduce(S), REGION[:2])
        return out


def feature_masks(persona: Persona, room: str, emotion: str = "neutral", gaze: str = "therapist"
                  ) -> dict[str, np.ndarray]:
    """The output pixels where the mouth and the brows are drawn in a frame at rest (H x W bool),
    found by drawing that frame with and without each feature. A clip at rest shows the face and
    gaze of its first line, so pass those."""
    client = Client(persona, room)
    rest = (FACES[emotion], GAZE[gaze], 0.0)
    full = np.asarray(client.frame(*rest), dtype=np.int16)
    masks = {}
    for feature in ("mouth", "brows"):
        without = np.asarray(client.frame(*rest, omit=(feature,)), dtype=np.int16)
        masks[feature] = np.abs(full - without).sum(axis=2) > 12
    return masks


class Motion:
    """Breath and small head movements, still for AT_REST_S, then easing in. Aroused emotions
    breathe faster; each new line starts with a small nod, as people mark what they say."""

    PERIOD_S = {"anxious": 2.8, "angry": 3.0, "frustrated": 3.3, "despairing": 5.0, "sad": 4.8,
                "flat": 5.0}

    def __init__(self, rng: np.random.Generator, fps: float, line_starts: list[float]):
        self.rng, self.fps, self.starts = rng, fps, line_starts
        self.phase, self.sway, self.target, self.next_target = 0.0, np.zeros(2), np.zeros(2), 0

    def step(self, i: int, emotion: str) -> tuple[int, tuple[int, int]]:
        t = i / self.fps
        if t < AT_REST_S:
            return 0, (0, 0)
        ease = min(1.0, (t - AT_REST_S) / 0.7)
        self.phase += 1 / (self.fps * self.PERIOD_S.get(emotion, 4.2))
        breath = (1 - math.cos(2 * math.pi * self.phase)) / 2  # 0..1, starting from rest
        if i >= self.next_target:
            self.target = self.rng.uniform([-1.3, -0.6], [1.3, 0.6])
            self.next_target = i + int(self.fps * self.rng.uniform(0.9, 2.2))
        self.sway += (self.target - self.sway) * (1 - math.exp(-1 / (0.6 * self.fps)))
        nod = sum(math.sin(math.pi * (t - s) / 0.4) for s in self.starts if 0 <= t - s < 0.4)
        step = int(round(breath * ease * (BREATH_STEPS - 1)))
        # the head rides on the chest (step canvas px up), drifts, and dips at a nod
        dx = self.sway[0] * ease * S
        dy = -step + (self.sway[1] * ease + 0.9 * nod) * S
        clamp = lambda v: int(max(-MARGIN + 1, min(MARGIN - 1, round(v))))  # noqa: E731
        return step, (clamp(dx), clamp(dy))


def animate(persona: Persona, room: str, speech: Speech, fps: int, seed: int,
            eyes_open_at: int | None = None, intensity: float = 1.0) -> Iterator[Image.Image]:
    """Every frame of the clip, in order (no blink around frame ``eyes_open_at``: the poster).
    ``intensity`` scales every expression (the clip's level: see ``affect``)."""
    client = Client(persona, room)
    rng = np.random.default_rng(seed)
    shapes = mouth_shapes(speech.samples, speech.sample_rate, fps)
    n = len(shapes)
    spans = speech.spans
    faces = {e: face_for(e, intensity) for e in FACES}
    face, gaze = faces[spans[0].emotion], np.array(GAZE[spans[0].gaze], dtype=float)
    motion = Motion(rng, fps, [s.speech_start for s in spans])
    next_blink, blink_frame = int(fps * rng.uniform(0.8, 2.0)), -99
    jitter, next_jitter = np.zeros(2), 0
    k_face, k_gaze = 1 - math.exp(-1 / (0.3 * fps)), 1 - math.exp(-1 / (0.07 * fps))
    for i in range(n):
        t = i / fps
        span = next((s for s in spans if t < s.end), spans[-1])
        face = blend(face, faces[span.emotion], k_face)
        target = np.array(GAZE[span.gaze], dtype=float)
        if np.abs(target - gaze).max() > 2 and i - blink_frame > fps:
            next_blink = min(next_blink, i)  # people blink as they shift their gaze
        gaze = gaze + (target - gaze) * k_gaze
        if i >= next_jitter:
            jitter = rng.uniform(-0.7, 0.7, size=2)
            next_jitter = i + int(fps * rng.uniform(0.6, 1.6))
        if eyes_open_at is not None and 0 <= eyes_open_at - i < 6:
            next_blink = max(next_blink, eyes_open_at + 1)
        if i >= next_blink:
            blink_frame, next_blink = i, i + int(fps * rng.uniform(2.2, 5.5))
        blink = (0.0, 0.55, 1.0, 1.0, 0.5)[i - blink_frame] if i - blink_frame < 5 else 0.0
        breath, head = motion.step(i, span.emotion)
        g = (gaze[0] + jitter[0], gaze[1] + jitter[1] * 0.5, gaze[2], gaze[3], gaze[4])
        yield client.frame(face, g, blink, shapes[i], breath, head)
