"""Formats of the two languages (Django's FORMAT_MODULE_PATH: `vi/formats.py`, `en/formats.py`) and
`numbers`, the helpers that turn numbers into text in the active language."""
