"""HTTP API of the contracts app (mounted under /api/ by kam/api.py)."""

from ninja import Router

router = Router()
