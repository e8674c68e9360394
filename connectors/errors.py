"""The root of every connector failure, apart from the models so that catching it is cheap.

Edges name :class:`ConnectorError` in their error classification at import time; keeping it
free of pydantic lets a command line that only prints its help start without the models.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every connector failure; its message is safe to show a user (no secrets)."""
