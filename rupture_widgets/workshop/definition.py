"""A workshop: a short code, a title, and an ordered subset of the clip library.

A workshop lives in its launch link's query string (``?workshop=CODE&clips=a,b&title=...``), not
in a file in the repository (docs/decisions.md #35): a facilitator composes one without a commit,
and the practice app reads it back from the page it was opened with. So everything here is
checked twice: strictly when a facilitator composes it (:class:`Workshop`, errors name what to
fix), leniently when a trainee's page hands it over (:func:`from_query`, which drops what it
cannot use and says so, never failing the app).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, quote

from ..errors import WorkshopError

#: Short and URL-safe: it is typed by people, read aloud in a room and stored in attempt records.
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,31}")
MAX_TITLE_CHARS = 80
#: The keys of the practice page's query string that describe a workshop.
QUERY_KEYS = ("workshop", "clips", "title")


def check_code(code: object) -> str:
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        shown = code if isinstance(code, str) else type(code).__name__
        raise WorkshopError(
            f"{shown!r} cannot be a workshop code: use 2-32 letters, digits, '-' or '_', starting "
            "with a letter or digit (for example 'rupture-101' or 'spring26'). It goes into the "
            "link, so spaces and other characters are not allowed.")
    return code


def check_title(title: object, code: str) -> str:
    """Trimmed, NFC, at most 80 characters, no control characters; empty means the code."""
    if title is None:
        return code
    if not isinstance(title, str):
        raise WorkshopError(f"The workshop title should be text, not {type(title).__name__}.")
    title = unicodedata.normalize("NFC", title.strip())
    if len(title) > MAX_TITLE_CHARS:
        raise WorkshopError(f"The workshop title is {len(title)} characters long; shorten it to "
                            f"at most {MAX_TITLE_CHARS}.")
    # control and text-direction characters would garble the heading trainees see
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in title):
        raise WorkshopError("The workshop title contains control or invisible formatting "
                            "characters; retype it as plain text.")
    return title or code


@dataclass(frozen=True)
class Workshop:
    """``code``: checked by :func:`check_code`; ``clips``: clip ids, in the order trainees meet
    them; ``title``: shown above the practice app's library (the code when not given)."""

    code: str
    clips: tuple[str, ...]
    title: str = ""

    def __init__(self, code: str, clips, title: str | None = None, *, catalog=None):
        code = check_code(code)
        if isinstance(clips, str):  # "a,b,c" as typed or read from an environment variable
            clips = [c.strip() for c in clips.split(",") if c.strip()]
        clips = tuple(clips)
        if not clips:
            raise WorkshopError(f"The workshop {code!r} has no clips: choose at least one.")
        bad = [c for c in clips if not isinstance(c, str)]
        if bad:
            raise WorkshopError(f"Clip ids are text; got {bad[0]!r}.")
        twice = sorted({c for c in clips if clips.count(c) > 1})
        if twice:
            raise WorkshopError(f"The clip(s) {', '.join(twice)} are listed more than once in the "
                                f"workshop {code!r}; list each clip once, in the order wanted.")
        if catalog is None:
            from ..library.catalog import load_catalog
            catalog = load_catalog()
        known = {c.id for c in catalog.clips}
        unknown = [c for c in clips if c not in known]
        if unknown:
            raise WorkshopError(
                f"The workshop {code!r} names {len(unknown)} clip(s) that are not in the clip "
                f"library at {catalog.path}: {', '.join(unknown)}. Check the spelling, or choose "
                "from the library's clip ids.")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "clips", clips)
        object.__setattr__(self, "title", check_title(title, code))

    def query(self) -> dict[str, str]:
        """The practice page's query parameters (the title only when it is not the code)."""
        params = {"workshop": self.code, "clips": ",".join(self.clips)}
        if self.title != self.code:
            params["title"] = self.title
        return params

    def query_string(self) -> str:
        """``workshop=CODE&clips=a,b&title=...``: commas kept (clip ids never contain one),
        spaces as %20 (the same in every parser, unlike '+')."""
        return urlencode(self.query(), safe=",", quote_via=quote)


@dataclass(frozen=True)
class PageWorkshop:
    """What a practice page's query string made of a workshop: the clips that exist, in order,
    and a plain sentence about anything left out (empty when nothing was)."""

    code: str
    title: str
    clips: tuple  # library.catalog.Clip, in the workshop's order
    notice: str = ""


def from_query(query: str | None, catalog) -> PageWorkshop | None:
    """The workshop a page was opened with, or None; never raises (the app must open).

    Unknown clip ids and repeated ones are left out with a notice; a bad code or title, or no
    clip that exists, leaves the whole library (with a notice saying why)."""
    params = parse_qs(query or "", keep_blank_values=True)
    code = (params.get("workshop") or [""])[0]
    if not code:
        return None
    try:
        code = check_code(code)
    except WorkshopError:
        return PageWorkshop("", "", (), "The link names a workshop whose code cannot be used, so "
                            "the whole clip library is shown. Ask your facilitator for the link "
                            "again.")
    try:
        title = check_title((params.get("title") or [None])[0], code)
    except WorkshopError:
        title = code
    wanted = [c.strip() for c in ",".join(params.get("clips") or []).split(",") if c.strip()]
    by_id = {c.id: c for c in catalog.clips}
    clips, unknown, seen = [], [], set()
    for clip_id in wanted:
        if clip_id in seen:
            continue
        seen.add(clip_id)
        (clips.append(by_id[clip_id]) if clip_id in by_id else unknown.append(clip_id))
    notice = ""
    if unknown:
        notice = (f"{len(unknown)} clip{'s' if len(unknown) > 1 else ''} in this workshop's link "
                  f"{'are' if len(unknown) > 1 else 'is'} not in this clip library and "
                  f"{'were' if len(unknown) > 1 else 'was'} left out: {', '.join(unknown)}.")
    if not clips:
        return PageWorkshop("", "", (), (notice + " " if notice else "") + "The link names no "
                            "clip of this library, so the whole library is shown.")
    return PageWorkshop(code, title, tuple(clips), notice)
