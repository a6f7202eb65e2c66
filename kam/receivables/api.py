"""HTTP API of the receivables app (mounted under /api/ by kam/api.py)."""

from ninja import Router

router = Router()
