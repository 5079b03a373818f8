"""A person's name as typed, and the id derived from it (a folder name; docs/decisions.md #20).

A display name is kept as typed, in any language: trimmed, NFC-normalised, at most
``MAX_NAME_CHARS``, with no control characters (a line break, a tab, a bidirectional override
that would make one name display as another). The id is what becomes a folder:
``id_from_name("José O'Brien") == "jose.obrien"`` (NFKD, accents dropped, apostrophes dropped,
spaces as '.'). A name with a letter that has no Latin spelling here ("王小明", "Алиса",
"Алиса Smith") gets ``"t-"`` and ten hex digits of the SHA-256 of the casefolded name, so two
such names never share a folder by losing their letters. No transliteration library is used even
where one is installed: an id must not change because a package was installed later.

ASCII names give the ids they always did ('Alex Morgan' -> 'alex.morgan'), so nobody loses
their workbook when they type their name again.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from ..errors import InvalidName, InvalidTraineeId
from .records import check_trainee_id

MAX_NAME_CHARS = 80
#: Embedding, override and isolate controls: they reorder what is shown, so U+202E followed by
#: "nimda" displays as "admin": one name could pass for another.
_BIDI = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_APOSTROPHES = "'’ʼ‘`´"
#: Latin letters that NFKD does not decompose into ASCII ones.
_LATIN = {"ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe",
          "ı": "i", "ħ": "h", "ŧ": "t", "ŀ": "l", "ĸ": "k", "ŋ": "n"}


def check_display_name(name: object) -> str:
    """The name to keep and show, or InvalidName saying in plain words what to change."""
    if not isinstance(name, str):
        raise InvalidName.because("it is not text")
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise InvalidName.empty()
    for ch in name:
        cat = unicodedata.category(ch)
        if cat == "Cs":
            raise InvalidName.because("it contains characters that are not valid Unicode (an "
                                      "emoji or a symbol may have been pasted in half); retype "
                                      "it")
        if cat in ("Cc", "Zl", "Zp"):
            raise InvalidName.because(f"it contains a control character (U+{ord(ch):04X}, such "
                                      "as a line break or a tab); type it on one line")
        if ord(ch) in _BIDI:
            raise InvalidName.because(f"it contains a text-direction control (U+{ord(ch):04X}), "
                                      "which can make a name display as another; retype it")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidName.because(f"it is {len(name)} characters long; use at most "
                                  f"{MAX_NAME_CHARS}")
    if not any(ch.isalnum() for ch in name):
        raise InvalidName.because("it has no letters or digits")
    return name


def id_from_name(name: object) -> str:
    """A safe, stable id for a name (see the module's docstring); it passes check_trainee_id."""
    shown = check_display_name(name)
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", shown.lower()):
        ch = _LATIN.get(ch, ch)
        if ch.isascii() and (ch.isalnum() or ch in "._-"):
            out.append(ch)
        elif ch.isspace():
            out.append(".")
        elif ch.isalnum():  # a letter or digit with no Latin spelling: never drop it silently
            break
        # anything else (accents once decomposed, apostrophes, other marks) is left out
    else:
        derived = re.sub(r"\.{2,}", ".", "".join(out)).lstrip("._-")[:64]
        try:
            return check_trainee_id(derived)
        except InvalidTraineeId:  # nothing left, or a name Windows reserves ('Con')
            pass
    digest = hashlib.sha256(" ".join(shown.casefold().split()).encode("utf-8")).hexdigest()
    return "t-" + digest[:10]
