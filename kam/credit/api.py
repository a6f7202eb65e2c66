"""HTTP API of the credit app (mounted under /api/ by kam/api.py)."""

from ninja import Router

router = Router()
