"""The workshops' JSON API under `/api/v1/learning/`."""

from ninja import Router

router = Router(tags=["learning"])
