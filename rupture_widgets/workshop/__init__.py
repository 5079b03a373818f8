"""Workshops: a facilitator's clip subset and code, its launch links, and what came back.

``Workshop`` (definition.py), ``binder_link`` / ``nbgitpuller_link`` (links.py), ``roster`` /
``roster_html`` (roster_table.py) and ``import_bundles`` (imports.py). Nothing here is heavy (no
pandas): the practice app reads its workshop through this package on the core install.
"""
from __future__ import annotations

from .definition import Workshop, check_code, from_query
from .imports import import_bundles
from .links import binder_link, nbgitpuller_link, practice_target
from .roster_table import roster, roster_html

__all__ = ["Workshop", "check_code", "from_query", "binder_link", "nbgitpuller_link",
           "practice_target", "roster", "roster_html", "import_bundles"]
