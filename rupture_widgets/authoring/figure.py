"""The still parts of the client, drawn once per clip at twice the output size: hair (behind and
in front of the face), body and clothes, and the head with its nose, ears, lines of age and beard.

``avatar`` moves these layers (breath, small head movements) and ``face`` draws the features on
top; all three place things in the same client coordinates through the camera mapping ``_c``.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from .face import beard_tone
from .room import ANCHOR_Y, CX, HY, RX, RY, H, S, W, ZOOM, mix, rgb, shade
from .script import Look


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


class Figure:
    """One persona's still layers, as RGBA images the size of the supersampled canvas."""

    def __init__(self, look: Look, age: int):
        self.look = look
        self.age = age
        self.skin = rgb(look.skin)
        self.hair = mix(look.hair, "#cfcac4", look.grey)
        self.line = shade(self.skin, 0.62)
        self.back_hair, self.front_hair = self._hair_layers()
        self.body = self._body()
        self.head = self._head()

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

    def _nose(self, d: ImageDraw.ImageDraw) -> None:
        """A nose that reads as a nose (a side line, the tip, two nostrils), drawn on top of a
        beard too: a lone arc under it read as a fixed small smile."""
        d.line(_c(CX + 4, HY - 2, CX + 7, HY + 13), fill=shade(self.skin, 0.86), width=2 * S)
        d.arc(_c(CX - 8, HY + 10, CX + 8, HY + 20), 30, 150, fill=self.line, width=2 * S)
        for side in (-1, 1):
            x = CX + side * 5
            d.ellipse(_c(x - 2.2, HY + 15.5, x + 2.2, HY + 18.5), fill=shade(self.skin, 0.55))

    def _head(self) -> Image.Image:
        layer = Image.new("RGBA", (W * S, H * S), (0, 0, 0, 0))
        d = ImageDraw.Draw(layer)
        for side in (-1, 1):
            ex = CX + side * (RX - 2)
            d.ellipse(_c(ex - 10, HY - 12, ex + 10, HY + 20), fill=shade(self.skin, 0.93))
        d.polygon(_face_outline(), fill=self.skin)

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
            tone = beard_tone(self.look, self.hair, self.skin)
            mask = Image.new("L", layer.size, 0)
            md = ImageDraw.Draw(mask)
            md.polygon(_face_outline(1), fill=255)
            md.rectangle(_c(0, 0, W, HY + 14), fill=0)
            md.ellipse(_c(CX - 30, HY + 8, CX + 30, HY + 24), fill=0)  # the nose and cheeks
            layer.paste(Image.new("RGBA", layer.size, tone + (255,)), (0, 0), mask)
            # a moustache over the upper lip, ending above the mouth so the mouth stays readable
            d.rounded_rectangle(_c(CX - 19, HY + 23, CX + 19, HY + 30), radius=3 * S, fill=tone)
        self._nose(d)
        return layer

