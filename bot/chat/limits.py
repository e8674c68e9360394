"""Slack's Block Kit limits, and a check that a payload keeps within them.

Where slack_sdk's models encode a limit, the constant is taken from them, so the two can never
disagree; the rest are Slack's documented limits that slack_sdk does not check. Builders cut text
with :func:`truncate` and cap block lists; :func:`validate_blocks` is what tests (and anyone
unsure) run on a finished payload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

#: Blocks in one message (``chat.postMessage``, ``chat.update``, ``response_url``).
MAX_MESSAGE_BLOCKS = 50
#: Blocks in a modal or the App Home tab.
MAX_VIEW_BLOCKS: int = View.blocks_max_length
#: Characters of a section's text.
MAX_SECTION_TEXT: int = SectionBlock.text_max_length
#: Characters of a header's plain text.
MAX_HEADER_TEXT: int = HeaderBlock.text_max_length
#: Characters of one context element's text. Slack allows 3000 in any text object; context is
#: small print, so ours stays shorter.
MAX_CONTEXT_TEXT = 2000
#: Elements in one context block.
MAX_CONTEXT_ELEMENTS: int = ContextBlock.elements_max_length
#: Characters of a button's label and of its value.
MAX_BUTTON_TEXT: int = ButtonElement.text_max_length
MAX_BUTTON_VALUE: int = ButtonElement.value_max_length

#: The block limit of each surface a payload can go to.
SURFACE_BLOCKS: Mapping[str, int] = {
    "message": MAX_MESSAGE_BLOCKS,
    "modal": MAX_VIEW_BLOCKS,
    "home": MAX_VIEW_BLOCKS,
}

ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the cut marked with an ellipsis."""
    if limit < 1:
        raise ValueError(f"a text limit must be at least 1, not {limit}")
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)] + ELLIPSIS


def _context_texts(block: Mapping[str, Any]) -> list[str]:
    return [
        str(element.get("text", ""))
        for element in block.get("elements", ())
        if isinstance(element, Mapping) and element.get("type") in ("mrkdwn", "plain_text")
    ]


def validate_blocks(raw: Sequence[Mapping[str, Any]], surface: str) -> None:
    """Raise ValueError, naming the block and the limit, if ``raw`` would not pass on ``surface``.

    ``surface`` is ``message``, ``modal`` or ``home``. Each block is parsed with
    ``slack_sdk.models`` and serialised again, which runs slack_sdk's own validators; the limits
    slack_sdk does not check (blocks per message, context text) are checked here.
    """
    if surface not in SURFACE_BLOCKS:
        raise ValueError(f"unknown surface {surface!r}; use one of {', '.join(SURFACE_BLOCKS)}")
    cap = SURFACE_BLOCKS[surface]
    if len(raw) > cap:
        raise ValueError(f"{len(raw)} blocks; a {surface} holds at most {cap}")
    for index, entry in enumerate(raw):
        kind = entry.get("type", "?")
        where = f"block {index} ({kind})"
        parsed = Block.parse(dict(entry))
        if parsed is None:
            raise ValueError(f"{where}: not a block type slack_sdk knows")
        try:
            parsed.to_dict()
        except SlackObjectFormationError as e:
            raise ValueError(f"{where}: {e}") from e
        if kind == "context":
            if len(entry.get("elements", ())) > MAX_CONTEXT_ELEMENTS:
                raise ValueError(f"{where}: more than {MAX_CONTEXT_ELEMENTS} elements")
            for text in _context_texts(entry):
                if len(text) > MAX_CONTEXT_TEXT:
                    raise ValueError(
                        f"{where}: context text of {len(text)} characters "
                        f"exceeds {MAX_CONTEXT_TEXT}"
                    )
