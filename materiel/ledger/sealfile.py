"""The seal file: one line per seal, appended and synced, outside the database.

A line reads (UTC time, first and last event id, number of events, digest):

    2026-12-01 22:30:05Z  #1  #1234  1234  3f5a…(64 hex)

short enough to print and sign on paper, and to compare by eye with `materiel seal`'s output.
`materiel verify` compares it with the seals in the database (verify._check_seal_file).
"""

import os
import re
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings

from .models import LedgerSeal

HEADER = (
    "# materiel — niêm phong sổ sự kiện (chỉ ghi thêm, không sửa). Mỗi dòng: thời điểm (UTC), "
    "sự kiện đầu, sự kiện cuối, số sự kiện, mã niêm phong HMAC-SHA256.\n"
)
LINE = re.compile(
    r"^(?P<at>\S+ \S+)\s+#(?P<first>\d+)\s+#(?P<last>\d+)\s+(?P<count>\d+)\s+(?P<digest>[0-9a-f]{64})\s*$"
)


@dataclass(frozen=True)
class FileSeal:
    number: int  # line number in the file, for the report
    first_event_id: int
    last_event_id: int
    event_count: int
    digest: str


def file_path() -> Path:
    return Path(settings.MATERIEL_SEAL_FILE)


def format_line(seal: LedgerSeal) -> str:
    at = seal.sealed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return f"{at}  #{seal.first_event_id}  #{seal.last_event_id}  {seal.event_count}  {seal.digest}\n"


def append(seal: LedgerSeal) -> Path:
    """Append the seal's line and fsync it before the seal commits: a line whose seal then failed to
    commit is reported by verify, never silently lost."""
    path = file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with open(path, "a", encoding="utf-8") as f:
        if new:
            f.write(HEADER)
        f.write(format_line(seal))
        f.flush()
        os.fsync(f.fileno())
    return path


def read() -> tuple[list[FileSeal], list[str]]:
    """The file's seals, and the problems of lines that are not one (a hand-edited file)."""
    path = file_path()
    seals: list[FileSeal] = []
    problems: list[str] = []
    if not path.exists():
        return seals, problems
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, start=1):
            if not text.strip() or text.startswith("#"):
                continue
            match = LINE.match(text)
            if match is None:
                problems.append(f"Tệp niêm phong {path}, dòng {number}: không đúng định dạng.")
                continue
            seals.append(
                FileSeal(
                    number,
                    int(match["first"]),
                    int(match["last"]),
                    int(match["count"]),
                    match["digest"],
                )
            )
    return seals, problems
