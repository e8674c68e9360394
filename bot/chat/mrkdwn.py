"""Slack mrkdwn escaping: the one way user and Jira text enters a message.

Slack reads ``<!channel>``, ``<!here>``, ``<!subteam^ID>`` and ``<url|label>`` in any mrkdwn
field and in a message's notification text, so a Jira summary could ping a channel or plant a
link. Slack's own rule is to escape ``&``, ``<`` and ``>`` as entities; the builders in
:mod:`bot.chat` pass every piece of data through :func:`escape` before it meets our own
formatting, which stays live.
"""

from __future__ import annotations

_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def escape(text: str) -> str:
    """``text`` as literal mrkdwn: Slack shows it as typed, with no mention or link in it."""
    for char, entity in _ENTITIES:
        text = text.replace(char, entity)
    return text


def unescape(text: str) -> str:
    """The inverse of :func:`escape`, for showing a Slack text on a terminal."""
    for char, entity in reversed(_ENTITIES):
        text = text.replace(entity, char)
    return text
