"""HTTP API endpoints of this app (mounted in kam/api.py)."""

from ninja import Router

router = Router()
