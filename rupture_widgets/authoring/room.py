"""The therapy room the client sits in, and the canvas it is drawn on (size, supersampling,
colours). Drawn once per clip at twice the output size; ``avatar`` draws the client on it.
"""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

W, H = 854, 480
S = 2  # supersampling factor
CX, HY, RX, RY = 427, 190, 54, 68  # the client's head: centre and radii (output pixels)
ZOOM, ANCHOR_Y = 1.22, 196  # the camera frames the client closer than the room is drawn

ROOMS = {  # wall, floor, sofa, accent
    "sage": ("#c9d3c0", "#8f7a63", "#6d7f8c", "#d9b26f"),
    "sand": ("#e3d5c1", "#7d6a58", "#5f6f61", "#b5654a"),
    "slate": ("#c3ccd6", "#6f6458", "#8a6f5c", "#7a9a6b"),
    "blush": ("#e6d2cc", "#80705f", "#4f6470", "#c9a15b"),
    "study": ("#d4cbbb", "#6b5a4a", "#7b4f45", "#54708a"),
}


def rgb(c: str) -> tuple[int, int, int]:
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


def mix(a, b, t: float) -> tuple[int, int, int]:
    a = rgb(a) if isinstance(a, str) else a
    b = rgb(b) if isinstance(b, str) else b
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def shade(c, f: float) -> tuple[int, int, int]:
    return mix(c, (0, 0, 0), 1 - f) if f < 1 else mix(c, (255, 255, 255), f - 1)


def _s(*v: float) -> list[float]:
    """Room coordinates (output px) to supersampled canvas px."""
    return [x * S for x in v]


def draw_room(room: str) -> Image.Image:
    wall, floor, sofa, accent = ROOMS[room]
    img = Image.new("RGB", (W * S, H * S), rgb(wall))
    d = ImageDraw.Draw(img)
    for y in range(0, 400 * S, 4):  # soft light from the window side, top-lit wall
        d.rectangle(_s(0, y / S, W, y / S + 2), fill=shade(wall, 1.04 - 0.08 * y / (400 * S)))
    d.rectangle(_s(0, 400, W, H), fill=rgb(floor))
    d.rectangle(_s(0, 396, W, 402), fill=shade(wall, 0.85))
    if room == "study":
        for i, x in enumerate((40, 130)):  # a bookshelf
            d.rectangle(_s(x - 6, 70, x + 96, 330), fill=shade(floor, 1.1))
            for j, y in enumerate((90, 170, 250)):
                for k in range(7):
                    c = (accent, sofa, "#b99b6b", wall)[(i + j + k) % 4]
                    d.rectangle(_s(x + k * 13, y + (k % 3) * 4, x + k * 13 + 10, y + 70),
                                fill=shade(c, 0.8 + 0.05 * (k % 3)))
                d.rectangle(_s(x - 6, y + 70, x + 96, y + 76), fill=shade(floor, 0.9))
    else:  # a window with a curtain
        d.rectangle(_s(52, 58, 222, 300), fill=shade(wall, 0.88))
        d.rectangle(_s(60, 66, 214, 292), fill=mix("#dfeaf2", wall, 0.25))
        d.rectangle(_s(134, 66, 140, 292), fill=shade(wall, 0.92))
        d.rectangle(_s(60, 176, 214, 182), fill=shade(wall, 0.92))
        d.rounded_rectangle(_s(36, 48, 78, 330), radius=10 * S, fill=mix(accent, wall, 0.45))
    # a framed print and a plant on the right
    d.rectangle(_s(672, 88, 790, 180), fill=shade(wall, 0.7))
    d.rectangle(_s(678, 94, 784, 174), fill=mix(accent, "#f4efe6", 0.6))
    d.ellipse(_s(700, 112, 760, 160), fill=mix(accent, wall, 0.2))
    d.polygon(_s(690, 372, 750, 372, 742, 410, 698, 410), fill=shade(accent, 0.7))
    for i, (dx, dy) in enumerate(((-34, -70), (-14, -96), (10, -88), (30, -64), (-4, -60))):
        d.ellipse(_s(720 + dx - 16, 372 + dy - 30, 720 + dx + 16, 372 + dy + 30),
                  fill=mix("#4f7a55", "#6f9a66", (i % 3) / 2))
    # a soft shadow on the wall behind the sofa
    shadow = Image.new("L", img.size, 0)
    ImageDraw.Draw(shadow).ellipse(_s(CX - 250, 200, CX + 250, 470), fill=70)
    shadow = shadow.filter(ImageFilter.GaussianBlur(30 * S))
    img = Image.composite(Image.new("RGB", img.size, shade(wall, 0.75)), img, shadow)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle(_s(CX - 240, 246, CX + 240, 520), radius=36 * S, fill=rgb(sofa))
    d.line(_s(CX, 262, CX, 420), fill=shade(sofa, 0.88), width=2 * S)
    for x in (CX - 276, CX + 206):
        d.rounded_rectangle(_s(x, 322, x + 70, 520), radius=24 * S, fill=shade(sofa, 0.92))
    d.rounded_rectangle(_s(CX + 150, 300, CX + 222, 372), radius=18 * S, fill=mix(accent, sofa, 0.3))
    return img
