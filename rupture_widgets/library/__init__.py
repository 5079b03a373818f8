"""The clip library: the catalog of clips (``catalog``), the checker behind `rupture clips check`
(``check``, PyAV imported there only) with its quality stage (``quality``: coverage, caption
timing, loudness, voices, faces, against ``thresholds``), and adding or replacing entries
(``edit``).

Making new clips (synthesised or from footage) is ``rupture_widgets.authoring``.
"""
from .catalog import Catalog, Clip, default_clips_dir, load_catalog, read_catalog

__all__ = ["Catalog", "Clip", "default_clips_dir", "load_catalog", "read_catalog"]
