"""Form helpers shared by every app's views."""

from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form: each message on the field it names,
    else on the form as a whole (forms only parse; services decide, issue 7 §2)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
