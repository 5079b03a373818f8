"""The Voilà application `rupture serve` runs: Voilà itself, with the clip files route confined.

Everything Voilà lets a configuration set is set in ``notebooks/voila.json`` (token, Host check,
websocket protocol, kernel culling, identity provider); only the files route needs a handler of
our own (``files.ClipFileHandler``), and Voilà has no setting for that, hence this subclass.
Run as ``python -m rupture_widgets.server.app NOTEBOOK [voila options]``.
"""
from __future__ import annotations

import os

from voila.app import Voila
from voila.static_file_handler import AllowListFileHandler

from .files import ClipFileHandler


class PracticeVoila(Voila):
    """Reads the same configuration as Voilà (its ``Voila`` and ``VoilaConfiguration``
    sections, from voila.json)."""

    def init_handlers(self) -> list:
        handlers = []
        for spec in super().init_handlers():
            if len(spec) >= 3 and spec[1] is AllowListFileHandler:
                # the allow-list names clips/ under the served root: the library served is that one
                clips = os.path.join(self.root_dir, "clips")
                spec = (spec[0], ClipFileHandler, {**spec[2], "clips_dir": clips}, *spec[3:])
            handlers.append(spec)
        return handlers


main = PracticeVoila.launch_instance

if __name__ == "__main__":
    main()
