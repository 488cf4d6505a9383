"""Form fields shared by the pages."""

from typing import Any

from django import forms


class WholeNumberField(forms.IntegerField):
    """forms.IntegerField that reads ASCII digits only: int() would read "١٢" (Arabic-Indic) as 12."""

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if text and not text.isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
