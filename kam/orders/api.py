"""HTTP API of the orders app (mounted under /api/ by kam/api.py)."""

from ninja import Router

router = Router()
