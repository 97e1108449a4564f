"""Written text to what the narrator should say; the rules, one class per written form, are in `frontend`."""

from masthead.audio.frontend import CLASSES, RULES, speakable, spoken_date

__all__ = ["CLASSES", "RULES", "speakable", "spoken_date"]
