"""The ``northstar`` command line (``bot.cli:main``); see :mod:`bot.cli.app`."""

from bot.cli.app import app, main

__all__ = ["app", "main"]
