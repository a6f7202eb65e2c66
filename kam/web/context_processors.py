"""Template context every page needs."""

from kam.core.services import company_settings


def company(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"company": company_settings()}
