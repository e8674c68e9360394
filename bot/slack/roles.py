"""Who may do what: Slack user ids match directly, user groups are asked of Slack (and cached).

Roles in ``northstar.toml`` list user ids (``U...``/``W...``) and user group ids (``S...``).
Group membership changes rarely but a button click must answer fast, so members are cached
for a short time; a failed look-up denies (and logs) rather than guessing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.chat import messages
from bot.errors import UserError

logger = logging.getLogger(__name__)

#: How long a user group's members are trusted before Slack is asked again.
GROUP_CACHE_SECONDS = 60.0


class GroupCache:
    """Members of user groups by (token, group), each entry kept ``ttl`` seconds."""

    def __init__(
        self, ttl: float = GROUP_CACHE_SECONDS, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}

    def get(self, token: str, group: str) -> frozenset[str] | None:
        with self._lock:
            entry = self._entries.get((token, group))
            if entry is None or self._clock() - entry[0] > self.ttl:
                return None
            return entry[1]

    def put(self, token: str, group: str, members: frozenset[str]) -> None:
        with self._lock:
            self._entries[(token, group)] = (self._clock(), members)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: The process-wide cache; tests call ``group_cache.clear()``.
group_cache = GroupCache()


def is_user_group(entity: str) -> bool:
    """Slack user group ids start with ``S``; user ids with ``U`` or ``W``."""
    return entity.startswith("S")


def group_members(group: str, client: WebClient, cache: GroupCache | None = None) -> frozenset[str]:
    """The user ids in ``group``, from the cache or ``usergroups.users.list``.

    Raises:
        SlackApiError: Slack refused (e.g. ``no_such_subteam``, ``missing_scope``).
    """
    cache = cache if cache is not None else group_cache
    # the cache key is per workspace: the token identifies the installation, and is never logged
    token = client.token or ""
    cached = cache.get(token, group)
    if cached is not None:
        return cached
    response = client.usergroups_users_list(usergroup=group)
    users = response.get("users") or []
    members = frozenset(str(user) for user in users)
    cache.put(token, group, members)
    return members


def is_allowed(
    user_id: str, allowed: Sequence[str], client: WebClient, *, cache: GroupCache | None = None
) -> bool:
    """Whether ``user_id`` is listed in ``allowed`` directly or through a user group.

    An empty ``allowed`` allows nobody: guarded actions must be granted explicitly.
    """
    if not user_id:
        return False
    if user_id in allowed:
        return True
    for entity in allowed:
        if not is_user_group(entity):
            continue
        try:
            if user_id in group_members(entity, client, cache):
                return True
        except (SlackApiError, SlackClientError) as e:
            error = e.response.get("error") if isinstance(e, SlackApiError) else type(e).__name__
            logger.warning("cannot read members of user group %s: %s", entity, error)
    return False


class RoleRefusedError(UserError):
    """The person lacks the role an action needs; the message names who may."""

    def __init__(self, action: str, allowed: Sequence[str]):
        self.action = action
        self.allowed = list(allowed)
        super().__init__(messages.error_not_allowed(action, self.allowed))


def require_role(user_id: str, client: WebClient, allowed: Sequence[str], action: str) -> None:
    """Raise :class:`RoleRefusedError` unless the person holds one of ``allowed``."""
    if not is_allowed(user_id, allowed, client):
        raise RoleRefusedError(action, allowed)
