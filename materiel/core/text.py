"""Vietnamese text folding for diacritic- and case-insensitive search.

Stripping combining marks does not turn "đ" into "d" (it is a letter of its own, not d plus a mark),
and SQLite's lower()/LIKE only fold ASCII, so every searchable row stores a folded key computed here
and queries fold their input the same way.
"""

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "\u00a0": " "})


def fold(text: str) -> str:
    """Lower-case ASCII-only form: 'Súng Đại liên' -> 'sung dai lien'."""
    text = str(text)
    if text.isascii():  # most serials and codes: nothing to decompose
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFD", str(text).translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def nfc(text: str) -> str:
    """Normalise to NFC and collapse spaces: imported text comes in NFC or NFD."""
    text = str(text)
    if text.isascii() and text.isprintable() and "  " not in text and text.strip() == text:
        return text  # already clean: the common case for serials, codes and numbers in a large import
    return " ".join(unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").split())


_JOINERS = str.maketrans("", "", "-./_'’")


def search_fold(text: str) -> str:
    """fold(), and joiners inside names and serials dropped: 'Xe U-oát' and 'xe uoat' meet at 'xe uoat'."""
    return fold(text).translate(_JOINERS)
