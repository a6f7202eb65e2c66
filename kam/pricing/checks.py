"""Validation helpers the pricing and contract services share: several refusals collected
so a form shows every bad field at once, and a currency code."""

import re
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

CURRENCY = re.compile(r"^[A-Z]{3}$")


class Problems:
    """Several checks' refusals together, so a form shows every bad field at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list] = {}

    @contextmanager
    def check(self):
        try:
            yield
        except ValidationError as error:
            found = (
                error.error_dict
                if hasattr(error, "error_dict")
                else {NON_FIELD_ERRORS: error.error_list}
            )
            for field, messages in found.items():
                self.errors.setdefault(field, []).extend(messages)

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message))

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def check_currency(value: str, *, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if not CURRENCY.match(code):
        raise ValidationError({field: _("A currency is three letters, e.g. EUR.")})
    return code
