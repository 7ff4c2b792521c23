"""The emulated SimplyBook.me REST API v2 (admin): login with 2FA, refresh rotation, 419 expiry,
``{data, metadata}`` lists (or bare arrays), ``filter[...]``-only booking filters, and booking
edits, cancellation and comments.

``service.py`` holds the company and the table of its endpoints; each endpoint family has its
own module (its docstring lists them).
"""

from sbzoom.sandbox.simplybook.service import SimplyBookService

__all__ = ["SimplyBookService"]
