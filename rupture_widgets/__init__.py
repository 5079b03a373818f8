"""rupture-widgets: a Jupyter-native deliberate-practice workbook for alliance-rupture repair.

Public names are imported lazily so the trainee app's start-up path stays light (docs/decisions.md #8).
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "Workspace": "rupture_widgets.workbook.store",
    "Workbook": "rupture_widgets.workbook.store",
    "Attempt": "rupture_widgets.workbook.store",
    "Feedback": "rupture_widgets.workbook.store",
    "load_catalog": "rupture_widgets.library.catalog",
    "Catalog": "rupture_widgets.library.catalog",
    "Clip": "rupture_widgets.library.catalog",
    "load_taxonomy": "rupture_widgets.taxonomy",
    "ClipPlayer": "rupture_widgets.widgets.clip_player",
    "Recorder": "rupture_widgets.widgets.recorder",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rupture_widgets' has no attribute {name!r}")
