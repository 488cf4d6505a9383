"""The persons who sign a document, written the military way: "Đồng chí Đại úy Lò Văn Giao".

A record keeps each person's name and one "cấp bậc, chức vụ" text, as people write it on paper:
"Đại úy, Trợ lý quân khí". When that text starts with a rank of the People's Army (Luật Sĩ quan
QĐND Việt Nam; Luật Nghĩa vụ quân sự for non-commissioned ranks), the rank is put before the name
and the rest is the position; otherwise the whole text is the position and no rank is guessed.
"""

import re
from dataclasses import dataclass

from materiel.core.text import fold, nfc

RANKS = (
    "Đại tướng",
    "Thượng tướng",
    "Trung tướng",
    "Thiếu tướng",
    "Đại tá",
    "Thượng tá",
    "Trung tá",
    "Thiếu tá",
    "Đại úy",
    "Thượng úy",
    "Trung úy",
    "Thiếu úy",
    "Thượng sĩ",
    "Trung sĩ",
    "Hạ sĩ",
    "Binh nhất",
    "Binh nhì",
)
# Folded ("dai uy"), so that "đại uý", "Đại Úy" and the NFD spelling of an Excel file match alike.
_FOLDED = {fold(rank): rank for rank in RANKS}
# A rank, optionally "QNCN" (professional servicemen hold officer-like ranks), then the end or a separator.
_RANK = re.compile(
    r"(?P<rank>" + "|".join(re.escape(r) for r in sorted(_FOLDED, key=len, reverse=True)) + r")"
    r"(?P<qncn> qncn)?(?=$|[\s,;–-])"
)
_SEPARATORS = " ,;–-"


@dataclass(frozen=True)
class Signatory:
    rank: str
    name: str
    position: str

    @property
    def full_name(self) -> str:
        """The rank before the name, "Đại úy Lò Văn Giao"; the name alone when no rank is known."""
        return " ".join(part for part in (self.rank, self.name) if part)


def signatory(name: str, title: str) -> Signatory:
    """Split "cấp bậc, chức vụ" into the rank (if it starts with one) and the position."""
    name, title = nfc(name or ""), nfc(title or "")
    match = _RANK.match(fold(title))
    if not match:
        return Signatory(rank="", name=name, position=title)
    # fold() keeps one character per character of NFC text, so the match's end is the title's too.
    rank = _FOLDED[match.group("rank")] + (" QNCN" if match.group("qncn") else "")
    position = title[match.end() :].strip(_SEPARATORS)
    if fold(name).startswith(fold(rank)):  # "Đại úy Lò Văn Giao" typed as the name already
        rank = ""
    return Signatory(rank=rank, name=name, position=position)
