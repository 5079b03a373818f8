"""Serving the apps: `rupture serve` runs Voilà with the shipped configuration (``serve``)."""
