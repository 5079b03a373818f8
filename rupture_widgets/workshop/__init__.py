"""Workshops: a facilitator's clip subset and code, its launch links, and what came back.

``Workshop`` (definition.py), ``binder_link`` / ``nbgitpuller_link`` (links.py), ``roster`` /
``roster_html`` (roster_table.py) and ``import_bundles`` (imports.py). Nothing here is heavy (no
pandas); the practice app reads its workshop through definition.py and page_query.py only, so
the roster and the imports load when first asked for.
"""
from __future__ import annotations

from .definition import Workshop, check_code, from_query
from .links import binder_link, nbgitpuller_link, practice_target

__all__ = ["Workshop", "check_code", "from_query", "binder_link", "nbgitpuller_link",
           "practice_target", "roster", "roster_html", "import_bundles"]
_LATER = {"roster": "roster_table", "roster_html": "roster_table", "import_bundles": "imports"}


def __getattr__(name: str):
    if name in _LATER:
        from importlib import import_module
        return getattr(import_module(f"{__name__}.{_LATER[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
