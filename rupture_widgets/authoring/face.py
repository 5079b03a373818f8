"""The moving face: what each emotion and gaze cue does to brows, lids, eyes and mouth, and how
they are drawn, in colours chosen to be readable on every skin tone and beard.

``avatar`` owns the layers and the motion; this module draws the features onto a crop of the head
given a point mapper ``p`` (client coordinates to crop pixels, supersampled).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from PIL import Image, ImageDraw

from .colours import luminance, readable
from .room import S, ZOOM, mix, rgb, shade
from .script import EMOTIONS, GAZES, Look
from .visemes import MouthShape

#: every feature a viewer needs to read the emotion reaches this contrast with what surrounds it
#: (the check's threshold is 0.30; `colours.readable` adds a margin for compression)
FEATURE_CONTRAST = 0.30


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


def face_for(emotion: str, intensity: float = 1.0) -> Face:
    """The emotion's face, its expression scaled by the clip's intensity (1 = as drawn above)."""
    return blend(FACES["neutral"], FACES[emotion], intensity)


def blend(a: Face, b: Face, t: float) -> Face:
    return replace(a, **{f.name: getattr(a, f.name) + (getattr(b, f.name) - getattr(a, f.name)) * t
                         for f in fields(Face)})


@dataclass(frozen=True)
class Palette:
    """The face's colours, each readable against what it is drawn on."""

    skin: tuple
    line: tuple     # lid edges and creases
    brow: tuple
    lips: tuple     # the lips' body, shown when the mouth opens (and on a full beard, always)
    crease: tuple   # the line between the lips: the closed mouth a viewer reads
    around_mouth: tuple  # skin, stubble or beard: what the mouth is read against
    brow_width: float = 3.4  # px: on the darkest skin no brow is dark enough, so it is bolder

    @classmethod
    def of(cls, look: Look, hair: tuple) -> "Palette":
        skin = rgb(look.skin)
        beard = beard_tone(look, hair, skin)
        around = beard if look.beard == "full" else (skin if beard is None else beard)
        lips = mix(shade(skin, 0.82), (160, 72, 74), 0.3)
        if look.beard == "full":  # lips show through the beard: lighter than it, and readable
            lips = readable(mix(skin, (178, 96, 96), 0.35), around, FEATURE_CONTRAST)
        brow = mix(shade(hair, 0.7), shade(skin, 0.4), 0.5)
        return cls(skin=skin, line=readable(shade(skin, 0.62), skin, FEATURE_CONTRAST),
                   brow=readable(brow, skin, FEATURE_CONTRAST * 1.5),
                   lips=lips, crease=readable(shade(lips, 0.55), around, FEATURE_CONTRAST * 1.4),
                   around_mouth=around, brow_width=4.6 if luminance(skin) < 0.05 else 3.4)


def beard_tone(look: Look, hair: tuple, skin: tuple) -> tuple | None:
    if look.beard == "none":
        return None
    return mix(hair, skin, 0.68 if look.beard == "stubble" else 0.0)


def draw_eyes(crop: Image.Image, d: ImageDraw.ImageDraw, p, pal: Palette, face: Face,
              gaze: tuple[float, float, float, float, float], blink: float, centre: tuple,
              brows: bool = True) -> None:
    cx0, hy0 = centre
    ix, iy, lid_extra, fx, fy = gaze
    lid = min(0.62, max(0.0, face.lid + lid_extra))  # never shut, except in a blink
    lid = min(1.0, lid + blink * (1 - lid))
    for side in (-1, 1):
        ex, ey = cx0 + side * 24 + fx, hy0 - 6 + fy
        a, b = 11.5, 5.8
        d.ellipse(p(ex - a, ey - b, ex + a, ey + b), fill=(246, 243, 238))
        # the iris, clipped to the eye: drawn on small images the size of the eye only
        x0, y0, x1, y1 = (int(v) for v in p(ex - a - 1, ey - b - 1, ex + a + 1, ey + b + 1))
        q = lambda *v: [c - (x0 if i % 2 == 0 else y0) for i, c in enumerate(p(*v))]  # noqa
        iris = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(iris).ellipse(q(ex - a, ey - b, ex + a, ey + b), fill=255)
        dots = Image.new("RGBA", iris.size, (0, 0, 0, 0))
        dd = ImageDraw.Draw(dots)
        cx, cy = ex + ix, ey + iy
        dd.ellipse(q(cx - 5.4, cy - 5.4, cx + 5.4, cy + 5.4), fill=(70, 48, 34, 255))
        dd.ellipse(q(cx - 2.4, cy - 2.4, cx + 2.4, cy + 2.4), fill=(20, 14, 12, 255))
        dd.ellipse(q(cx + 1, cy - 3, cx + 2.8, cy - 1.2), fill=(255, 255, 255, 230))
        crop.paste(dots, (x0, y0), Image.composite(dots.getchannel("A"), iris, iris))
        # upper lid: the eye's top arc moved down by the closure; lower lid likewise up
        xs = np.linspace(-a, a, 25)
        top = -b * np.sqrt(1 - (xs / a) ** 2)
        closure = 2 * b * lid
        cover = [(ex + x, ey + y - 1.5) for x, y in zip(xs, top)]
        edge = [(ex + x, ey + min(y + closure, -y)) for x, y in zip(xs, top)]
        d.polygon(p(*sum(cover + edge[::-1], ())), fill=pal.skin)
        low = 2 * b * face.squint * 0.5
        if low > 0:
            cover_lo = [(ex + x, ey - y + 1.5) for x, y in zip(xs, top)]
            edge_lo = [(ex + x, ey + max(-y - low, y + closure)) for x, y in zip(xs, top)]
            d.polygon(p(*sum(cover_lo + edge_lo[::-1], ())), fill=pal.skin)
        d.line(p(*sum(edge, ())), fill=pal.line, width=int(2 * S * ZOOM))
        if not brows:
            continue
        # brows: inner end moves with 'inner', both with 'brow'; one side with 'brow_asym'
        lift = face.brow + (face.brow_asym if side == 1 else 0) - fy * 0.3
        inner_y = ey - 15 - lift - face.inner
        outer_y = ey - 16 - lift + face.inner * 0.3
        inner_x, outer_x = ex - side * 11, ex + side * 13
        d.line(p(inner_x, inner_y, (inner_x + outer_x) / 2, (inner_y + outer_y) / 2 - 2,
                 outer_x, outer_y), fill=pal.brow, width=int(pal.brow_width * S), joint="curve")


def draw_mouth(d: ImageDraw.ImageDraw, p, pal: Palette, face: Face, shape: MouthShape,
               centre: tuple, full_beard: bool) -> None:
    """Corners from the emotion; opening, width and teeth from the speech sound being made."""
    mx, my = centre
    hw = 15 * face.width * shape.width
    left = (mx - hw, my - face.smile)
    right = (mx + hw, my - face.smile - face.asym)
    opening = face.jaw + shape.open
    xs = np.linspace(0, 1, 17)
    upper, lower, lip_low = [], [], []
    for t in xs:
        x = left[0] + (right[0] - left[0]) * t
        base = left[1] + (right[1] - left[1]) * t
        bow = 4 * t * (1 - t)
        upper.append((x, base + bow * (face.smile * 0.9 - opening * 0.3)))
        lower.append((x, base + bow * (face.smile * 0.9 + opening * 0.9)))
        lip_low.append((x, base + bow * (face.smile * 0.9 + opening * 0.9 + 3.2)))
    if full_beard:  # the lower lip, a lighter band the beard frames
        d.polygon(p(*sum(lower + lip_low[::-1], ())), fill=pal.lips)
    if opening > 0.8:
        d.polygon(p(*sum(upper + lower[::-1], ())), fill=(72, 30, 34))
        if opening > 2.2 or shape.teeth > 0.5:
            teeth = [(x, y + 0.9) for x, y in upper[3:-3]]
            d.line(p(*sum(teeth, ())), fill=(236, 231, 224), width=int(1.8 * S))
        d.line(p(*sum(lower, ())), fill=pal.lips, width=int(2.6 * S))
    d.line(p(*sum(upper, ())), fill=pal.crease, width=int(2.6 * S), joint="curve")
