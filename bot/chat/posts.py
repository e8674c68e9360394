"""Channel posts built but not yet sent, and packing several into as few messages as fit.

A post is built first and sent later so the scheduler can hold posts back (quiet hours, the
daily cap) and send what was held back as one batch; Slack takes at most 50 blocks a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock

from bot.chat import messages
from bot.chat.blocks import Reply

#: Slack's limit of blocks in one message.
MAX_BLOCKS = 50


@dataclass(frozen=True, slots=True)
class Upload:
    """A file shared after a post (the burn-up chart)."""

    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class Post:
    """One channel message, built but not yet sent, so several can be sent as one batch."""

    kind: str
    text: str
    blocks: tuple[Block, ...]
    uploads: tuple[Upload, ...] = ()

    @property
    def reply(self) -> Reply:
        return Reply(text=self.text, blocks=list(self.blocks))


def _groups(posts: Sequence[Post]) -> list[list[int]]:
    """Posts packed in order into messages of at most 50 blocks (a heading, dividers between).

    A post is never split, so each reads whole; one too big to share a message goes alone.
    """
    groups: list[list[int]] = []
    size = MAX_BLOCKS
    for index, post in enumerate(posts):
        needed = len(post.blocks) + 1  # its heading or the divider before it
        if groups and size + needed <= MAX_BLOCKS:
            groups[-1].append(index)
            size += needed
        else:
            groups.append([index])
            size = needed
    return groups


def combine(posts: Sequence[Post]) -> list[tuple[tuple[int, ...], Post]]:
    """Held-back posts as as few messages as fit Slack's 50 blocks; nothing is left out.

    Returns each message with the indices of the posts it carries, so each post's run can be
    marked done by the message that really carried it.
    """
    if len(posts) == 1:
        return [((0,), posts[0])]
    groups = _groups(posts)
    packed: list[tuple[tuple[int, ...], Post]] = []
    for page, group in enumerate(groups, 1):
        heading = (
            messages.batch_header(len(posts))
            if page == 1
            else messages.batch_continued(page, len(groups))
        )
        blocks: list[Block] = []
        for index in group:
            blocks.append(DividerBlock() if blocks else HeaderBlock(text=heading))
            blocks.extend(posts[index].blocks)
        chosen = [posts[index] for index in group]
        combined = Post(
            kind="batch",
            text="\n\n".join([heading, *(post.text for post in chosen)]),
            blocks=tuple(blocks[:MAX_BLOCKS]),
            uploads=tuple(upload for post in chosen for upload in post.uploads),
        )
        packed.append((tuple(group), combined))
    return packed
