"""The emulated Zoom: OAuth (authorization code + PKCE, refresh rotation, S2S, revoke), the REST v2
endpoints sbzoom uses, and the join/start/registration pages the links point to.

``service.py`` holds the account and the table of its endpoints; each endpoint family has its
own module (its docstring lists them). Error bodies are ``{"code": int, "message": str}`` on REST
and ``{"reason": str, "error": str}`` on the OAuth endpoints.
"""

from sbzoom.sandbox.zoom.models import Revocation
from sbzoom.sandbox.zoom.service import ZoomService

__all__ = ["Revocation", "ZoomService"]
