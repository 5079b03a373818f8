"""The client on screen: a calm, illustrated person seated in a therapy room, drawn with Pillow.

Everything that does not move (room, body, hair, glasses) is drawn once per clip at twice the
output size and box-reduced, which gives clean anti-aliased edges. Each frame redraws only the
face (brows, lids, eyes, mouth) in a crop around the head: brows and lids follow the line's emotion,
the eyes its gaze cue, the mouth the loudness of the speech; blinks and tiny eye movements come from
the clip's seeded generator, so a rebuild draws the same pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Iterator

import numpy as np
from PIL import Image, ImageDraw

from .room import CX, HY, RX, RY, H, S, W, draw_room, mix, rgb, shade
from .script import EMOTIONS, GAZES, Persona
from .voice import Speech

__all__ = ["W", "H", "animate", "Client", "FACES", "GAZE", "feature_masks", "AT_REST_S"]

#: The head holds still (no drift, no breath) this long at the start, with the mouth closed, so a
#: check finds the features where ``feature_boxes`` says.
AT_REST_S = 0.5


@dataclass(frozen=True)
class Face:
    brow: float = 0.0      # both brows up (+) or down (-), px
    inner: float = 0.0     # inner brow ends up (+ worry, sadness) or down (- anger)
    brow_asym: float = 0.0  # one brow raised (doubt, contempt)
    lid: float = 0.2       # upper lid closure 0..1
    squint: float = 0.0    # lower lid raise 0..1
    smile: float = 1.0     # mouth corners up (+) or down (-), px
    width: float = 1.0     # mouth width factor
    asym: float = 0.0      # one corner raised (contempt), px
    jaw: float = 0.0       # resting mouth opening, px


FACES: dict[str, Face] = {
    "neutral": Face(),
    "calm": Face(lid=0.18, squint=0.05, smile=2.0),
    "hesitant": Face(brow=1, inner=2, lid=0.15, smile=-0.8, width=0.9),
    "doubtful": Face(brow=1, brow_asym=3, lid=0.18, smile=-1, asym=1.0),
    "guarded": Face(inner=-1, lid=0.26, squint=0.12, smile=-1, width=0.85),
    "flat": Face(lid=0.36, smile=0, width=0.9),
    "appeasing": Face(brow=2, inner=2, lid=0.1, smile=3, width=1.05),
    "anxious": Face(brow=3, inner=4, lid=0.0, smile=-1.5, width=0.9, jaw=0.6),
    "frustrated": Face(brow=-1, inner=-3, lid=0.15, squint=0.2, smile=-2.5),
    "angry": Face(brow=-2, inner=-5, lid=0.1, squint=0.35, smile=-3.5, width=0.95),
    "contemptuous": Face(inner=-1, brow_asym=2, lid=0.36, smile=-0.5, asym=4),
    "sad": Face(inner=5, lid=0.3, smile=-3, width=0.9),
    "despairing": Face(inner=6, lid=0.45, smile=-3.5, width=0.9),
    "amused": Face(brow=1, lid=0.2, squint=0.3, smile=4.5, width=1.1),
}
assert set(FACES) == set(EMOTIONS), "every emotion cue needs a face"

# iris offset (px), extra lid closure, feature offset (a hint of head turn)
GAZE: dict[str, tuple[float, float, float, float, float]] = {
    "therapist": (0, 0, 0, 0, 0),
    "down": (0, 3.2, 0.28, 0, 3),
    "left": (-5, 0.5, 0.05, -3, 0),
    "right": (5, 0.5, 0.05, 3, 0),
    "up": (1.5, -3.2, -0.1, 0, -2),
}
assert set(GAZE) == set(GAZES), "every gaze cue needs eye positions"

ZOOM, ANCHOR_Y = 1.22, 196  # the camera frames the client closer than the room is drawn


def _c(*v: float) -> list[float]:
    """Client coordinates to supersampled canvas px, through the closer camera."""
    return [((x - CX) * ZOOM + CX if i % 2 == 0 else (x - HY) * ZOOM + ANCHOR_Y) * S
            for i, x in enumerate(v)]


def _hairline(x: np.ndarray, style: str) -> np.ndarray:
    """y (output px) of the hairline across the forehead; lower means more fringe."""
    u = (x - CX) / RX
    top = {"cropped": -0.64, "short": -0.58, "wavy": -0.56, "bob": -0.54, "long": -0.56,
           "bun": -0.6, "curly": -0.56, "afro": -0.54, "bald": -0.5}[style]
    y = HY + RY * (top + 0.55 * u ** 2)
    if style in ("short", "wavy", "long", "bob"):  # a side parting sweeping across
        y = y + RY * 0.07 * np.clip(1 - (u + 0.45) ** 2 * 2.0, 0, None)
    return y


def _mask(fn, box) -> Image.Image:
    """An L mask (supersampled canvas) where fn(x, y), in client coordinates, is true in box."""
    x0, y0, x1, y1 = (int(v) for v in _c(*box))
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    xs = (xs / S - CX) / ZOOM + CX
    ys = (ys / S - ANCHOR_Y) / ZOOM + HY
    m = np.zeros((H * S, W * S), dtype=np.uint8)
    m[y0:y1, x0:x1] = np.where(fn(xs, ys), 255, 0)
    return Image.fromarray(m, "L")


def _in_ellipse(cx, cy, rx, ry):
    return lambda x, y: ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1


def _face_outline(grow: float = 0.0) -> list[float]:
    pts = []
    for i in range(72):
        t = 2 * math.pi * i / 72
        sx, sy = math.cos(t), math.sin(t)
        x = (RX + grow) * sx * (1 - 0.16 * max(sy, 0) ** 2)
        pts += _c(CX + x, HY + (RY + grow) * sy)
    return pts


class Client:
    """One persona, drawn in one room; ``frame(state)`` gives an output-size RGB image."""

    # the face's box in output px (even, so the 2x reduce of the crop matches the whole frame)
    HEAD_BOX = tuple(int(v / S) // 2 * 2 for v in _c(CX - 76, HY - 90, CX + 78, HY + 92))

    def __init__(self, persona: Persona, room: str):
        self.look = lk = persona.look
        self.age = persona.age
        self.skin = rgb(lk.skin)
        self.hair = mix(lk.hair, "#cfcac4", lk.grey)
        self.lips = mix(shade(self.skin, 0.8), (150, 70, 70), 0.25)
        self.line = shade(self.skin, 0.62)
        self.brow = mix(shade(self.hair, 0.7), shade(self.skin, 0.4), 0.5)
        back, front = self._hair_layers()
        big = draw_room(room).convert("RGBA")
        big.alpha_composite(back)
        big.alpha_composite(self._body())
        big.alpha_composite(self._head())
        self.front = front
        self.static_big = big
        self.static = big.convert("RGB").reduce(S)
        hb = [v * S for v in self.HEAD_BOX]
        self.head_big = big.crop(hb)
        self.front_head = front.crop(hb)

    # -- static layers ---------------------------------------------------------------------
    def _hair_layers(self) -> tuple[Image.Image, Image.Image]:
        style, hair = self.look.hair_style, self.hair
        back = Image.new("RGBA", (W * S, H * S), (0, 0, 0, 0))
        d = ImageDraw.Draw(back)
        if style == "long":
            d.ellipse(_c(CX - RX - 12, HY - RY - 8, CX + RX + 12, HY + RY * 0.6), fill=hair)
            d.polygon(_c(CX - RX - 12, HY, CX + RX + 12, HY, CX + RX + 22, HY + RY + 80,
                         CX - RX - 22, HY + RY + 80), fill=hair)
        elif style in ("bob", "wavy"):
            bottom = HY + RY * (0.55 if style == "bob" else 0.75)
            d.rounded_rectangle(_c(CX - RX - 13, HY - RY - 8, CX + RX + 13, bottom),
                                radius=30 * S, fill=hair)
            if style == "wavy":
                for k in range(-3, 4):
                    d.ellipse(_c(CX + k * 19 - 12, bottom - 12, CX + k * 19 + 12, bottom + 10),
                              fill=hair)
        elif style == "bun":
            d.ellipse(_c(CX - 26, HY - RY - 36, CX + 26, HY - RY + 12), fill=hair)
        elif style in ("afro", "curly"):
            grow = 24 if style == "afro" else 16
            d.ellipse(_c(CX - RX - grow, HY - RY - grow * 1.1, CX + RX + grow, HY + RY * 0.45),
                      fill=hair)
            if style == "curly":
                for k in range(14):
                    t = math.pi * (0.9 + 1.2 * k / 13)
                    x = CX + (RX + 14) * math.cos(t)
                    y = HY - 10 + (RY + 14) * math.sin(t)
                    d.ellipse(_c(x - 13, y - 13, x + 13, y + 13), fill=hair)
        front = Image.new("RGBA", back.size, (0, 0, 0, 0))
        grow = {"cropped": 3, "short": 6, "bald": 2, "afro": 10, "curly": 10}.get(style, 8)
        cap = _in_ellipse(CX, HY - 3, RX + grow, RY + grow)
        if style == "bald":
            shape = lambda x, y: cap(x, y) & (np.abs(x - CX) > RX * 0.82) & (y > HY - RY * 0.32) \
                & (y < HY - RY * 0.02)
        else:
            shape = lambda x, y: cap(x, y) & (y < _hairline(x, style)) & (y < HY + RY * 0.15)
        box = (CX - RX - 40, HY - RY - 40, CX + RX + 40, HY + 30)
        front.paste(Image.new("RGBA", front.size, hair), (0, 0), _mask(shape, box))
        f = ImageDraw.Draw(front)
        if style not in ("bald", "cropped"):  # one highlight for volume
            f.arc(_c(CX - RX + 6, HY - RY - 2, CX + RX - 6, HY + RY - 30), 225, 300,
                  fill=shade(hair, 1.18), width=3 * S)
        if self.look.glasses:
            frame = (60, 60, 66)
            for side in (-1, 1):
                ex = CX + side * 24
                f.rounded_rectangle(_c(ex - 17, HY - 18, ex + 17, HY + 6), radius=7 * S,
                                    outline=frame, width=2 * S)
                f.line(_c(CX + side * 41, HY - 10, CX + side * (RX + 2), HY - 12), fill=frame,
                       width=2 * S)
            f.arc(_c(CX - 7, HY - 14, CX + 7, HY - 2), 200, 340, fill=frame, width=2 * S)
        return back, front

    def _body(self) -> Image.Image:
        lk = self.look
        top = rgb(lk.top_colour)
        layer = Image.new("RGBA", (W * S, H * S), (0, 0, 0, 0))
        d = ImageDraw.Draw(layer)

        def _b(*v: float) -> list[float]:  # the torso sits a little higher than drawn
            return _c(*(x if i % 2 == 0 else x - 8 for i, x in enumerate(v)))

        if lk.top == "hoodie":
            d.ellipse(_b(CX - 78, 262, CX + 78, 316), fill=shade(top, 0.82))
        d.rectangle(_c(CX - 23, HY + 40, CX + 23, 300), fill=self.skin)
        d.chord(_c(CX - 24, HY + RY - 24, CX + 24, HY + RY + 10), 0, 180,
                fill=shade(self.skin, 0.88))
        d.rounded_rectangle(_b(CX - 158, 284, CX + 158, 560), radius=62 * S, fill=top)
        for side in (-1, 1):  # arms resting by the sides
            d.line(_b(CX + side * 118, 360, CX + side * 124, 480), fill=shade(top, 0.82),
                   width=3 * S)
        if lk.top == "crew":
            d.chord(_b(CX - 32, 262, CX + 32, 306), 0, 180, fill=self.skin)
            d.arc(_b(CX - 34, 262, CX + 34, 310), 0, 180, fill=shade(top, 0.8), width=4 * S)
        elif lk.top == "blouse":
            d.polygon(_b(CX - 30, 284, CX + 30, 284, CX, 332), fill=self.skin)
            d.line(_b(CX - 30, 284, CX, 332, CX + 30, 284), fill=shade(top, 0.85), width=3 * S)
        elif lk.top == "collar":
            d.polygon(_b(CX - 22, 284, CX + 22, 284, CX, 318), fill=self.skin)
            light = mix(top, (255, 255, 255), 0.25)
            for side in (-1, 1):
                d.polygon(_b(CX + side * 26, 274, CX + side * 4, 320, CX + side * 50, 300),
                          fill=light)
            d.line(_b(CX, 318, CX, 480), fill=shade(top, 0.85), width=2 * S)
        elif lk.top == "cardigan":
            inner = mix(top, (240, 236, 228), 0.75)
            d.polygon(_b(CX - 46, 284, CX + 46, 284, CX + 20, 480, CX - 20, 480), fill=inner)
            d.chord(_b(CX - 28, 266, CX + 28, 304), 0, 180, fill=self.skin)
            d.arc(_b(CX - 30, 266, CX + 30, 308), 0, 180, fill=shade(inner, 0.85), width=3 * S)
            for side in (-1, 1):
                d.line(_b(CX + side * 46, 284, CX + side * 20, 480), fill=shade(top, 0.75),
                       width=3 * S)
            for y in (360, 410, 460):
                d.ellipse(_b(CX + 16, y - 4, CX + 24, y + 4), fill=shade(top, 0.7))
        elif lk.top == "hoodie":
            d.chord(_b(CX - 30, 264, CX + 30, 306), 0, 180, fill=self.skin)
            for side in (-1, 1):
                d.line(_b(CX + side * 20, 298, CX + side * 22, 366), fill=shade(top, 1.35),
                       width=3 * S)
        return layer

    def _head(self) -> Image.Image:
        layer = Image.new("RGBA", (W * S, H * S), (0, 0, 0, 0))
        d = ImageDraw.Draw(layer)
        for side in (-1, 1):
            ex = CX + side * (RX - 2)
            d.ellipse(_c(ex - 10, HY - 12, ex + 10, HY + 20), fill=shade(self.skin, 0.93))
        d.polygon(_face_outline(), fill=self.skin)
        d.arc(_c(CX - 9, HY + 11, CX + 9, HY + 23), 20, 160, fill=self.line, width=2 * S)
        d.line(_c(CX + 4, HY - 2, CX + 6, HY + 14), fill=shade(self.skin, 0.9), width=2 * S)
        soft = shade(self.skin, 0.85)
        if self.age >= 45:  # smile lines and under-eye lines, kept faint
            for side in (-1, 1):
                d.arc(_c(CX + side * 30 - 12, HY + 14, CX + side * 30 + 12, HY + 44),
                      90 - side * 60 - 30, 90 - side * 60 + 30, fill=soft, width=2 * S)
                d.arc(_c(CX + side * 24 - 10, HY + 2, CX + side * 24 + 10, HY + 10), 20, 160,
                      fill=soft, width=1 * S)
        if self.age >= 58:
            for y in (HY - 40, HY - 33):
                d.arc(_c(CX - 24, y, CX + 24, y + 10), 200, 340, fill=soft, width=1 * S)
        beard = self.look.beard
        if beard != "none":
            tone = mix(self.hair, self.skin, 0.68 if beard == "stubble" else 0.0)
            mask = Image.new("L", layer.size, 0)
            md = ImageDraw.Draw(mask)
            md.polygon(_face_outline(1), fill=255)
            md.rectangle(_c(0, 0, W, HY + 14), fill=0)
            md.ellipse(_c(CX - 34, HY + 10, CX + 34, HY + 30), fill=0)
            layer.paste(Image.new("RGBA", layer.size, tone + (255,)), (0, 0), mask)
            d.rounded_rectangle(_c(CX - 20, HY + 27, CX + 20, HY + 34), radius=3 * S, fill=tone)
        return layer

    # -- the moving face -------------------------------------------------------------------
    def frame(self, face: Face, gaze: tuple[float, float, float, float, float], blink: float,
              mouth_open: float, omit: tuple[str, ...] = ()) -> Image.Image:
        ix, iy, lid_extra, fx, fy = gaze
        crop = self.head_big.copy()
        d = ImageDraw.Draw(crop)
        ox, oy = self.HEAD_BOX[0] * S, self.HEAD_BOX[1] * S

        def p(*v: float) -> list[float]:  # client coordinates -> crop px (supersampled)
            return [c - (ox if i % 2 == 0 else oy) for i, c in enumerate(_c(*v))]

        lid = min(0.62, max(0.0, face.lid + lid_extra))  # never shut, except in a blink
        lid = min(1.0, lid + blink * (1 - lid))
        for side in (-1, 1):
            ex, ey = CX + side * 24 + fx, HY - 6 + fy
            a, b = 11.5, 5.8
            d.ellipse(p(ex - a, ey - b, ex + a, ey + b), fill=(246, 243, 238))
            iris = Image.new("L", crop.size, 0)
            ImageDraw.Draw(iris).ellipse(p(ex - a, ey - b, ex + a, ey + b), fill=255)
            dots = Image.new("RGBA", crop.size, (0, 0, 0, 0))
            dd = ImageDraw.Draw(dots)
            cx, cy = ex + ix, ey + iy
            dd.ellipse(p(cx - 5.4, cy - 5.4, cx + 5.4, cy + 5.4), fill=(70, 48, 34, 255))
            dd.ellipse(p(cx - 2.4, cy - 2.4, cx + 2.4, cy + 2.4), fill=(20, 14, 12, 255))
            dd.ellipse(p(cx + 1, cy - 3, cx + 2.8, cy - 1.2), fill=(255, 255, 255, 230))
            crop.paste(dots, (0, 0), Image.composite(dots.getchannel("A"), iris, iris))
            # upper lid: the eye's top arc moved down by the closure; lower lid likewise up
            xs = np.linspace(-a, a, 25)
            top = -b * np.sqrt(1 - (xs / a) ** 2)
            closure = 2 * b * lid
            cover = [(ex + x, ey + y - 1.5) for x, y in zip(xs, top)]
            edge = [(ex + x, ey + min(y + closure, -y)) for x, y in zip(xs, top)]
            d.polygon(p(*sum(cover + edge[::-1], ())), fill=self.skin)
            low = 2 * b * face.squint * 0.5
            if low > 0:
                cover_lo = [(ex + x, ey - y + 1.5) for x, y in zip(xs, top)]
                edge_lo = [(ex + x, ey + max(-y - low, y + closure)) for x, y in zip(xs, top)]
                d.polygon(p(*sum(cover_lo + edge_lo[::-1], ())), fill=self.skin)
            d.line(p(*sum(edge, ())), fill=self.line, width=int(2 * S * ZOOM))
            # brows: inner end moves with 'inner', both with 'brow'; one side with 'brow_asym'
            lift = face.brow + (face.brow_asym if side == 1 else 0) - fy * 0.3
            inner_y = ey - 15 - lift - face.inner
            outer_y = ey - 16 - lift + face.inner * 0.3
            inner_x, outer_x = ex - side * 11, ex + side * 13
            if "brows" in omit:
                continue
            d.line(p(inner_x, inner_y, (inner_x + outer_x) / 2, (inner_y + outer_y) / 2 - 2,
                     outer_x, outer_y), fill=self.brow, width=int(3.2 * S),
                   joint="curve")
        # mouth: corners from the emotion, opening from the speech loudness
        mx, my = CX + fx * 0.7, HY + 34 + fy * 0.6
        hw = 15 * face.width
        left = (mx - hw, my - face.smile)
        right = (mx + hw, my - face.smile - face.asym)
        opening = face.jaw + mouth_open
        xs = np.linspace(0, 1, 17)
        upper, lower = [], []
        for t in xs:
            x = left[0] + (right[0] - left[0]) * t
            base = left[1] + (right[1] - left[1]) * t
            bow = 4 * t * (1 - t)
            upper.append((x, base + bow * (face.smile * 0.9 - opening * 0.3)))
            lower.append((x, base + bow * (face.smile * 0.9 + opening * 0.9)))
        if "mouth" in omit:
            pass
        elif opening > 0.8:
            d.polygon(p(*sum(upper + lower[::-1], ())), fill=(92, 40, 42))
            if opening > 3:
                teeth = [(x, y + 0.8) for x, y in upper[3:-3]]
                d.line(p(*sum(teeth, ())), fill=(235, 230, 222), width=int(1.6 * S))
            d.line(p(*sum(lower, ())), fill=self.lips, width=int(2.6 * S))
        if "mouth" not in omit:
            d.line(p(*sum(upper, ())), fill=self.lips, width=int(2.2 * S), joint="curve")
        crop.alpha_composite(self.front_head)
        out = self.static.copy()
        out.paste(crop.convert("RGB").reduce(S), self.HEAD_BOX[:2])
        return out


def feature_masks(persona: Persona, room: str, emotion: str = "neutral", gaze: str = "therapist"
                  ) -> dict[str, np.ndarray]:
    """The output pixels where the mouth and the brows are drawn in a frame at rest (H x W bool),
    found by drawing that frame with and without each feature. A clip at rest shows the face and
    gaze of its first line, so pass those."""
    client = Client(persona, room)
    rest = (FACES[emotion], GAZE[gaze], 0.0, 0.0)
    full = np.asarray(client.frame(*rest), dtype=np.int16)
    masks = {}
    for feature in ("mouth", "brows"):
        without = np.asarray(client.frame(*rest, omit=(feature,)), dtype=np.int16)
        masks[feature] = np.abs(full - without).sum(axis=2) > 12
    return masks


def _blend(a: Face, b: Face, t: float) -> Face:
    return replace(a, **{f.name: getattr(a, f.name) + (getattr(b, f.name) - getattr(a, f.name)) * t
                         for f in fields(Face)})


def animate(persona: Persona, room: str, speech: Speech, fps: int, seed: int,
            eyes_open_at: int | None = None) -> Iterator[Image.Image]:
    """Every frame of the clip, in order (no blink around frame ``eyes_open_at``: the poster)."""
    client = Client(persona, room)
    rng = np.random.default_rng(seed)
    env = speech.envelope(fps)
    n = len(env)
    spans = speech.spans
    face, gaze = FACES[spans[0].emotion], np.array(GAZE[spans[0].gaze], dtype=float)
    next_blink, blink_frame = int(fps * rng.uniform(0.8, 2.0)), -99
    jitter, next_jitter = np.zeros(2), 0
    mouth = 0.0
    k_face, k_gaze = 1 - math.exp(-1 / (0.3 * fps)), 1 - math.exp(-1 / (0.07 * fps))
    for i in range(n):
        t = i / fps
        span = next((s for s in spans if t < s.end), spans[-1])
        face = _blend(face, FACES[span.emotion], k_face)
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
        level = float(env[i])
        mouth = level if level > mouth else mouth * 0.55 + level * 0.45
        g = (gaze[0] + jitter[0], gaze[1] + jitter[1] * 0.5, gaze[2], gaze[3], gaze[4])
        yield client.frame(face, g, blink, round(mouth * 9.0, 1))
