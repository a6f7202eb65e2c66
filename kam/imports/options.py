"""Options of a sales import (issue 8 §2, §3), from the command line, the page, the API or a
saved mapping's ``options``; ``SalesOptions.from_dict`` refuses unknown or malformed ones."""

from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext


class OptionError(ValueError):
    """An option is unknown or malformed; ``name`` is the option."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


SERVICE_LINES = ("keep", "exclude")


@dataclass(frozen=True)
class SalesOptions:
    # Create the clients and products the file names but KAM does not know (``--create-missing``).
    create_missing: bool = False
    # Documents whose number starts with this are cancellations (e.g. "C"): imported as returns
    # linked to the original document (the number without the prefix) where it exists. A line
    # with a negative quantity is a return whatever its document is called.
    cancellation_prefix: str = ""
    # SKUs that are services (postage, freight, ...): products flagged ``is_service``.
    service_skus: frozenset[str] = field(default_factory=frozenset)
    # keep: service lines count in revenue but not in product statistics; exclude: left out.
    service_lines: str = "keep"

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "SalesOptions":
        data = dict(data or {})
        known = {f for f in cls.__dataclass_fields__}
        for name in data:
            if name not in known:
                raise OptionError(
                    name,
                    gettext("unknown option; the options are %s") % ", ".join(sorted(known)),
                )
        create = data.get("create_missing", False)
        if not isinstance(create, bool):
            raise OptionError("create_missing", gettext("must be true or false"))
        prefix = data.get("cancellation_prefix", "") or ""
        if not isinstance(prefix, str) or len(prefix) > 16 or not prefix.isprintable():
            raise OptionError(
                "cancellation_prefix", gettext("must be a short text such as C (or empty)")
            )
        skus = data.get("service_skus", ()) or ()
        if isinstance(skus, str):
            skus = [s for s in (p.strip() for p in skus.split(",")) if s]
        if not isinstance(skus, list | tuple | set | frozenset) or not all(
            isinstance(s, str) and 0 < len(s) <= 64 and s.isprintable() for s in skus
        ):
            raise OptionError("service_skus", gettext("must be a list of SKUs"))
        if len(skus) > 1000:
            raise OptionError("service_skus", gettext("at most 1000 SKUs"))
        service = data.get("service_lines", "keep")
        if service not in SERVICE_LINES:
            raise OptionError(
                "service_lines", gettext("must be one of: %s") % ", ".join(SERVICE_LINES)
            )
        return cls(
            create_missing=create,
            cancellation_prefix=prefix.strip(),
            service_skus=frozenset(s.strip() for s in skus),
            service_lines=service,
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["service_skus"] = sorted(self.service_skus)
        return out

    def merged(self, other: dict[str, Any] | None) -> "SalesOptions":
        """These options with ``other``'s given entries on top (the CLI over a mapping's)."""
        return SalesOptions.from_dict({**self.to_dict(), **(other or {})})
