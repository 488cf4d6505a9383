"""Ids and versions are written unlocalised in every template: with the Vietnamese thousands
separator `{{ item.pk }}` renders 2001 as "2.001", which a form posts back as a different number
(a disposal proposal once added one of two ticked rifles on PostgreSQL, whose ids run past 1000)."""

import re
from pathlib import Path

import materiel

LOCALISED_ID = re.compile(r"\{\{ *[\w.]*(?:\.pk|_id|\.id|version|\bpk) *\}\}")


def test_no_template_writes_an_id_or_a_version_with_a_thousands_separator():
    root = Path(materiel.__file__).parent
    found = [
        f"{path.relative_to(root)}:{number}: {match}"
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in LOCALISED_ID.findall(line)
    ]
    assert found == []
