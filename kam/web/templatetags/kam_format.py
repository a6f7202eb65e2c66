"""Money and percentage formatting for templates: locale-aware, currency shown, losses marked."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.simple_tag(takes_context=True)
def money(context, amount, places: int = 0, currency: str | None = None):
    """``{% money amount %}``: the amount in the company's base currency, grouped by the
    active language's rules; a negative amount (a loss-making client, KC-1) is marked red."""
    value = _decimal(amount)
    if value is None:
        return "—"
    if currency is None:
        company = context.get("company")
        currency = getattr(company, "base_currency", "")
    text = number_format(abs(value), decimal_pos=places, use_l10n=True, force_grouping=True)
    if value < 0:
        return format_html('<span class="kam-neg">&minus;{}&nbsp;{}</span>', text, currency)
    return format_html("{}&nbsp;{}", text, currency)


@register.simple_tag
def percent(part, whole, places: int = 1):
    """``{% percent income revenue %}``: part as a percentage of whole; a dash when whole is 0."""
    part, whole = _decimal(part), _decimal(whole)
    if part is None or not whole:
        return "—"
    value = part * 100 / whole
    text = number_format(abs(value), decimal_pos=places, use_l10n=True)
    if value < 0:
        return format_html('<span class="kam-neg">&minus;{}&nbsp;%</span>', text)
    return format_html("{}&nbsp;%", text)
