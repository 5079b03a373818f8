"""Apps composed of the widgets, the workbook and the clip library, served by Voilà.

identity.py  who is using the app ($JUPYTERHUB_USER, $RUPTURE_TRAINEE, or a name box)
practice/    the trainee's app (notebooks/practice.ipynb)
"""
from .practice import PracticeApp, practice_app

__all__ = ["PracticeApp", "practice_app"]
