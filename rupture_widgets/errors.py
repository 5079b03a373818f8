"""Every error the workbook raises, in one place, worded for the person who must act on it.

Each class has a plain-language message built by a classmethod constructor, so call sites stay
short and messages stay consistent (the nbformat/nbclient habit).
"""
from __future__ import annotations

import errno
from pathlib import Path


class RuptureError(Exception):
    """Base class: anything the trainee, reviewer or instructor can act on."""


class _ProblemList:
    """An error that lists every problem at once; ``what`` names the file's kind for the message."""

    what = "file"
    problems: list[str]

    @classmethod
    def problems_in(cls, path: Path | str, problems: list[str]):
        err = cls(f"The {cls.what} {path} has {len(problems)} problem(s):\n  - "
                  + "\n  - ".join(problems))
        err.problems = problems
        return err


class InvalidTraineeId(RuptureError, ValueError):
    @classmethod
    def because(cls, trainee_id: object, reason: str) -> "InvalidTraineeId":
        return cls(
            f"{trainee_id!r} cannot be used as a trainee id: {reason}. Use 1-64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit (for example 'alex.morgan')."
        )


class TaxonomyError(_ProblemList, RuptureError, ValueError):
    what = "taxonomy file"


class CatalogError(_ProblemList, RuptureError, ValueError):
    """The clip catalog has problems; ``problems`` lists every one as 'clip-id: field: what'."""

    what = "clip catalog"


class UnknownClip(RuptureError, KeyError):
    @classmethod
    def named(cls, clip_id: str) -> "UnknownClip":
        return cls(f"There is no clip {clip_id!r} in the clip library.")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class UnknownAttempt(RuptureError, KeyError):
    @classmethod
    def named(cls, attempt_id: str, notebook: Path | str) -> "UnknownAttempt":
        return cls(f"There is no attempt {attempt_id!r} in {notebook}.")

    def __str__(self) -> str:
        return str(self.args[0])


class CorruptWorkbook(RuptureError):
    """A workbook notebook could not be read; it is kept untouched, never overwritten."""

    @classmethod
    def unreadable(cls, path: Path | str, reason: str, kept_as: Path | str | None = None
                   ) -> "CorruptWorkbook":
        msg = (f"The workbook {path} could not be read ({reason}). It has not been changed or "
               "deleted.")
        if kept_as:
            msg += f" It was set aside as {kept_as}; new work goes into a fresh workbook."
        return cls(msg)


class InvalidRecord(RuptureError, ValueError):
    """An attempt or feedback record does not match its schema."""

    @classmethod
    def bad(cls, what: str, where: str, reason: str) -> "InvalidRecord":
        return cls(f"The {what} {where} is not valid: {reason}")


def _os_reason(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "the disk is full"
    if err.errno == errno.EDQUOT:
        return "your disk quota is used up"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission was denied"
    if err.errno == errno.EROFS:
        return "the disk is read-only"
    return err.strerror or type(err).__name__


class StorageError(RuptureError, OSError):
    """A file of the workbook could not be written (full disk, quota, permissions)."""

    @classmethod
    def could_not_write(cls, path: Path | str, err: OSError, consequence: str) -> "StorageError":
        reason = _os_reason(err)
        fix = ("Free some space (or ask whoever runs this server to), then try again."
               if err.errno in (errno.ENOSPC, errno.EDQUOT) else
               "Ask whoever runs this server to check the folder, then try again.")
        return cls(err.errno, f"{path} could not be written: {reason}. {consequence} {fix}")

    def __str__(self) -> str:  # OSError's own str() would prefix '[Errno 28]'
        return str(self.args[1]) if len(self.args) > 1 else super().__str__()


class RecordingError(RuptureError):
    @classmethod
    def too_large(cls, path: Path | str, limit_bytes: int) -> "RecordingError":
        mb = limit_bytes / 1_000_000
        return cls(f"The recording reached the size limit of {mb:.0f} MB and was stopped. "
                   f"What was recorded so far is kept in {path}.")

    @classmethod
    def undecodable(cls, path: Path | str, reason: str) -> "RecordingError":
        return cls(f"The recording {path} could not be read as video ({reason}). "
                   "The file is kept; it may be incomplete.")

    @classmethod
    def damaged(cls, path: Path | str, detail: str) -> "RecordingError":
        return cls(f"The recording {path} is damaged in places ({detail}). It is kept unchanged "
                   "rather than replaced by a copy that would miss part of the answer.")

    @classmethod
    def write_failed(cls, path: Path | str, err: OSError) -> "RecordingError":
        return cls(f"Your answer could not be written to {path}: {_os_reason(err)}. What was "
                   "received before is kept (listed as incomplete); free some space and record "
                   "again.")

    @classmethod
    def after_failed_write(cls, path: Path | str) -> "RecordingError":
        return cls(f"Part of the recording {path} could not be written earlier, so nothing more "
                   "can be added to it. What was received before is kept, as incomplete.")

    @classmethod
    def already_finished(cls, path: Path | str) -> "RecordingError":
        return cls(f"The recording {path} is already finished; start a new one to record again.")


class InvalidName(RuptureError, ValueError):
    """A name typed to say who is practising or reviewing cannot be kept as typed."""

    @classmethod
    def empty(cls) -> "InvalidName":
        return cls("Type your name first.")

    reason = ""

    @classmethod
    def because(cls, reason: str) -> "InvalidName":
        err = cls(f"That name cannot be used: {reason}.")
        err.reason = reason  # for a caller that words the message its own way (a reviewer's)
        return err


class ExchangeError(RuptureError, ValueError):
    """An attempt could not be sent, or feedback could not be returned or collected."""


class ScriptError(_ProblemList, RuptureError, ValueError):
    """A clip script (clips/scripts/*.json) cannot be built; ``problems`` lists every one."""

    what = "clip script"


class AuthoringUnavailable(RuptureError, ImportError):
    """`rupture clips build` needs packages that the trainee install leaves out."""

    @classmethod
    def missing(cls, module: str) -> "AuthoringUnavailable":
        return cls(f"Building clips from scripts needs the optional package {module!r}. Install "
                   "the authoring extra: pip install 'rupture-widgets[authoring]'")


class ClipMediaError(RuptureError, ValueError):
    """A video given to `rupture clips add` (or a built clip) cannot become a web-safe clip."""

    @classmethod
    def unreadable(cls, path: Path | str, reason: str) -> "ClipMediaError":
        return cls(f"The video {path} could not be read ({reason}). Give a file the media library "
                   "can decode, such as mp4, mov, webm, mkv or avi.")

    @classmethod
    def bad_duration(cls, path: Path | str, seconds: float, low: float, high: float
                     ) -> "ClipMediaError":
        return cls(f"{path} lasts {seconds:.1f} s; a clip must last {low:g}-{high:g} s. Trim the "
                   "video (or, for a script, add or remove lines) and try again.")

    @classmethod
    def too_large(cls, path: Path | str, size: int, limit: int) -> "ClipMediaError":
        return cls(f"{path} came out at {size / 1e6:.2f} MB, above the {limit / 1e6:.0f} MB limit "
                   "for a clip. Use a shorter or simpler video.")


class CorruptWorkbookWarning(UserWarning):
    """Issued (not raised) when an unreadable workbook was set aside and rebuilt from the journal:
    the operation that noticed it still succeeds, so no one's work stops or is lost."""


class ResearchError(RuptureError, ValueError):
    """The research tables or the de-identified export cannot be made as asked."""

    @classmethod
    def unavailable(cls, module: str) -> "ResearchError":
        return cls(f"The research tables need the optional package {module!r}. Install the "
                   "research extra: pip install 'rupture-widgets[research]'")


class ExchangeRefused(ExchangeError):
    """The exchange service said no: not yours to see or change, or a request it cannot take.
    ``status`` is the HTTP status it answered with (403: not yours; 404: nothing there)."""

    status = 400

    @classmethod
    def answered(cls, status: int, message: str) -> "ExchangeRefused":
        err = cls(message or f"The exchange service refused the request (HTTP {status}).")
        err.status = status
        return err


class ExchangeUnreachable(ExchangeError):
    @classmethod
    def at(cls, url: str, reason: object) -> "ExchangeUnreachable":
        return cls(f"The feedback exchange at {url} cannot be reached ({reason}). Your work is "
                   "kept in your workbook; try again in a minute, and tell the programme's "
                   "administrator if it persists.")


class WorkshopError(RuptureError, ValueError):
    """A workshop cannot be composed as given (its code, title or clips), or a link is not one."""


class BundleError(RuptureError, ValueError):
    """A bundle (a zip of someone's work: docs/bundles.md) cannot be written or imported.

    An import refused for any reason has written nothing: the whole bundle is checked first."""

    @classmethod
    def refused(cls, bundle: object, reason: str) -> "BundleError":
        named = f" {bundle}" if bundle else ""  # a path; nothing for one uploaded
        return cls(f"The bundle{named} was not imported: {reason}. Nothing in the workspace was "
                   "changed. Download it again (or ask whoever made it to), or import another "
                   "copy.")

    @classmethod
    def cannot_export(cls, reason: str) -> "BundleError":
        return cls(f"No bundle was written: {reason}.")


class ServerSettingError(RuptureError, ValueError):
    """A setting in the server's environment (``RUPTURE_*``) cannot be read: for whoever runs
    the server."""

    @classmethod
    def unreadable(cls, name: str, value: str, expected: str) -> "ServerSettingError":
        return cls(f"The server setting {name}={value!r} cannot be read; it should be "
                   f"{expected}. Whoever runs this server can correct it.")

