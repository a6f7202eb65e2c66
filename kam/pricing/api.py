"""HTTP API of the pricing app (mounted under /api/ by kam/api.py)."""

from ninja import Router

router = Router()
