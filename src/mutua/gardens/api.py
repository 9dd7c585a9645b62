"""The community gardens' JSON API under `/api/v1/gardens/`."""

from ninja import Router

router = Router(tags=["gardens"])
