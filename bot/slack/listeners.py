"""Every Bolt listener, one module-level function each: read the payload, queue the work.

Each lazy listener reads its payload and hands the slow part to the :class:`~bot.slack.
workqueue.WorkQueue` inside the one error boundary (:func:`bot.slack.boundary.guard`), so every
error becomes an answer; ``/value``, the busiest, does the same from its ack function
(:func:`run_value`). Bolt injects the listener's arguments by name; :class:`Deps` (the
process's services, work queue and score cache) is bound by :func:`bot.slack.app.register`.

Over 400 lines because every Bolt listener is a module-level function here (one concern each),
so :func:`bot.slack.app.register` is a flat list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.chat import benefit_blocks, blocks, messages, mrkdwn
from bot.chat.messenger import SlackMessenger
from bot.errors import UserError
from bot.slack import benefit_forms, payloads
from bot.slack.boundary import guard, reply_for_error, respond_safely
from bot.slack.commands import opens_form
from bot.slack.home import publish_home
from bot.slack.value_command import (
    Invocation,
    answer_command,
    apply_clicked,
    benefit_roles,
    close_clicked,
    open_benefit_form,
    recorded_text,
)
from bot.slack.workqueue import WorkQueue
from bot.usecases.benefit_entries import (
    answer_review,
    find_benefit,
    find_review,
    measure,
    save_benefit,
)
from bot.usecases.benefit_status import benefit_team
from bot.usecases.checkins import Answer, comment_modal, record_answer
from bot.usecases.realisation import realisation_modal, record_realisation_answer
from bot.usecases.score_cache import ScoreCache
from bot.wiring import Services
from rules.benefits import Benefit, smart_check

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    """What every listener needs besides what Bolt injects."""

    svc: Services
    work: WorkQueue
    scores: ScoreCache

    def later(self, what: str, respond: Respond | None, job: Callable[[], object]) -> None:
        """Run ``job`` on a work thread, inside the error boundary."""
        self.work.submit(lambda: guard(what, respond, job))

    def messenger(self, client: WebClient) -> SlackMessenger:
        """Outbound Slack over the request's client (its workspace's token under OAuth)."""
        return self.svc.messenger(client)

    def invocation(
        self, user: str, channel: str | None, client: WebClient, trigger_id: str | None = None
    ) -> Invocation:
        return Invocation(
            user, channel, client, self.messenger(client), self.scores, trigger_id=trigger_id
        )


def _tell(respond: Respond, answer: Answer) -> None:
    """A note the person's DM does not show goes to them privately, so no click goes unanswered."""
    if not answer.shown:
        respond_safely(
            respond,
            blocks.text_reply(answer.note),
            response_type="ephemeral",
            replace_original=False,
        )


def _tell_in_dm(messenger: SlackMessenger, user: str, answer: Answer) -> None:
    """The same for a modal (it has no ``response_url``): a line in the person's DM."""
    if not answer.shown:
        messenger.dm(user, blocks.text_reply(answer.note))


def _stale(respond: Respond) -> None:
    _tell(respond, Answer(messages.error_stale_button(), shown=False))


# ---------------------------------------------------------------- acks


def ack_only(ack: Ack) -> None:
    ack()


def _ack_view(ack: Ack, errors: dict[str, str]) -> None:
    """A modal's field errors travel with the ack: Slack shows them only then."""
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def ack_comment(ack: Ack, body: dict[str, Any]) -> None:
    _ack_view(ack, payloads.comment_errors(payloads.comment_submission(body)))


def ack_realisation(ack: Ack, body: dict[str, Any]) -> None:
    _ack_view(ack, payloads.realisation_errors(payloads.realisation_submission(body)))


def ack_benefit_form(ack: Ack, body: dict[str, Any]) -> None:
    sub = benefit_forms.submission(body)
    _ack_view(
        ack, benefit_forms.form_errors(lambda: benefit_forms.benefit_from_form(sub, existing=None))
    )


def ack_actual(ack: Ack, body: dict[str, Any]) -> None:
    sub = benefit_forms.submission(body)
    _ack_view(
        ack,
        benefit_forms.form_errors(
            lambda: benefit_forms.actual_from_form(
                sub, required=True, note_block=benefit_blocks.BLOCK_NOTE
            )
        ),
    )


def ack_review(ack: Ack, body: dict[str, Any]) -> None:
    sub = benefit_forms.submission(body)
    errors = benefit_forms.form_errors(lambda: benefit_forms.review_came(sub))
    errors.update(
        benefit_forms.form_errors(
            lambda: benefit_forms.actual_from_form(
                sub, required=False, note_block=benefit_blocks.BLOCK_LESSON
            )
        )
    )
    _ack_view(ack, errors)


# ---------------------------------------------------------------- the slash command


def run_value(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Acknowledge ``/value`` and queue its work, both in the ack function.

    Not a lazy listener, unlike the others: to start one, Bolt deep-copies the request and
    parses it again, which measured about half the CPU time of acknowledging a command (a
    burst of them queues for the GIL). Reading the payload and handing the job to the work
    queue costs microseconds and never waits on the network.
    """
    ack(text=messages.ack_working())
    request = payloads.slash_command(body)
    inv = deps.invocation(request.user_id, request.channel_id, client, request.trigger_id)
    name = (request.text or "help").split(maxsplit=1)[0] if (request.text or "").strip() else "help"
    if opens_form(request.text):
        # not queued: the trigger_id for views.open expires 3 s after the command
        what = f"/value benefit new by {request.user_id}"
        guard(what, respond, lambda: open_benefit_form(deps.svc, None, inv))
        return

    def job() -> None:
        reply = answer_command(deps.svc, request.text, inv)
        respond_safely(respond, reply, response_type="ephemeral")

    deps.later(f"/value {name} by {request.user_id}", respond, job)


# ---------------------------------------------------------------- reorder buttons


def apply_reorder_clicked(
    body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    action = payloads.block_action(body)
    team, fingerprint = action.value.get("team"), action.value.get("fp")
    if not isinstance(team, str) or not isinstance(fingerprint, str):
        respond_safely(respond, blocks.text_reply(messages.error_stale_button()))
        return

    def applying(name: str) -> None:
        reply = blocks.text_reply(messages.ack_applying(name))
        respond_safely(respond, reply, replace_original=True)

    inv = deps.invocation(action.user_id, action.channel_id, client)

    def job() -> None:
        reply = apply_clicked(deps.svc, team, fingerprint, inv, on_start=applying)
        respond_safely(respond, reply, replace_original=True)

    what = f"reorder apply of {team} by {action.user_id}"
    deps.work.submit(lambda: guard(what, respond, job, replace=True))


def cancel_reorder_clicked(respond: Respond) -> None:
    respond_safely(respond, blocks.text_reply(messages.reorder_cancelled()), replace_original=True)


# ---------------------------------------------------------------- check-in buttons and modal


def _answer_click(
    deps: Deps, respond: Respond, what: str, record: Callable[[], Answer | None]
) -> None:
    """Record a click on a work thread; ``record`` returns None for a stale button."""

    def job() -> None:
        answer = record()
        _tell(
            respond, answer if answer is not None else Answer(messages.error_stale_button(), False)
        )

    deps.later(what, respond, job)


def _answer_modal(
    deps: Deps,
    client: WebClient,
    user: str,
    what: str,
    record: Callable[[SlackMessenger], Answer | None],
) -> None:
    """Record a modal's submission on a work thread; ``record`` returns None when it is empty."""
    messenger = deps.messenger(client)

    def job() -> None:
        answer = record(messenger)
        if answer is not None:
            _tell_in_dm(messenger, user, answer)

    deps.later(what, None, job)


def rate_clicked(body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps) -> None:
    action = payloads.block_action(body)
    ref = payloads.checkin_ref(action)

    def record() -> Answer | None:
        if ref is None or ref.value is None:
            return None
        return record_answer(
            deps.svc,
            user=action.user_id,
            round_id=ref.round_id,
            key=ref.key,
            value=ref.value,
            channel=action.channel_id,
            ts=action.message_ts,
            messenger=deps.messenger(client),
            scores=deps.scores,
        )

    _answer_click(deps, respond, f"check-in rating by {action.user_id}", record)


def close_round_clicked(
    body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    action = payloads.block_action(body)
    round_id = action.value.get("r")
    inv = deps.invocation(action.user_id, action.channel_id, client)

    def job() -> None:
        if not isinstance(round_id, int):
            _stale(respond)
            return
        reply = close_clicked(deps.svc, round_id, inv)
        respond_safely(respond, reply, response_type="ephemeral", replace_original=True)

    deps.later(f"check-in close by {action.user_id}", respond, job)


def comment_clicked(
    body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    action = payloads.block_action(body)
    ref = payloads.checkin_ref(action)

    def job() -> None:
        if ref is None or not action.trigger_id:
            _stale(respond)
            return
        view = comment_modal(
            deps.svc,
            user=action.user_id,
            round_id=ref.round_id,
            key=ref.key,
            channel=action.channel_id,
            ts=action.message_ts,
        )
        if isinstance(view, str):
            _tell(respond, Answer(view, shown=False))
            return
        client.views_open(trigger_id=action.trigger_id, view=view)

    # not queued: the trigger_id for views.open expires 3 s after the click
    guard(f"check-in comment modal for {action.user_id}", respond, job)


def comment_submitted(body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    submission = payloads.comment_submission(body)

    def record(messenger: SlackMessenger) -> Answer | None:
        if submission.round_id is None or submission.key is None or submission.rating is None:
            logger.warning("comment modal without round, item or rating; ignored")
            return None
        return record_answer(
            deps.svc,
            user=submission.user_id,
            round_id=submission.round_id,
            key=submission.key,
            value=submission.rating,
            comment=submission.comment or None,
            channel=submission.channel_id,
            ts=submission.message_ts,
            messenger=messenger,
            scores=deps.scores,
        )

    what = f"check-in comment by {submission.user_id}"
    _answer_modal(deps, client, submission.user_id, what, record)


# ---------------------------------------------------------------- realisation buttons and modal


def realisation_clicked(
    body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    action = payloads.block_action(body)
    choice = action.action_id.removeprefix(blocks.ACTION_REALISATION_PREFIX)
    key = action.value.get("k")

    def record() -> Answer | None:
        if not isinstance(key, str):
            return None
        return record_realisation_answer(
            deps.svc,
            user=action.user_id,
            key=key,
            answer=choice,
            channel=action.channel_id,
            ts=action.message_ts,
            messenger=deps.messenger(client),
        )

    _answer_click(deps, respond, f"realisation answer by {action.user_id}", record)


def realisation_comment_clicked(
    body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    action = payloads.block_action(body)
    key = action.value.get("k")

    def job() -> None:
        if not isinstance(key, str) or not action.trigger_id:
            _stale(respond)
            return
        view = realisation_modal(
            deps.svc, user=action.user_id, key=key, channel=action.channel_id, ts=action.message_ts
        )
        client.views_open(trigger_id=action.trigger_id, view=view)

    # not queued: the trigger_id for views.open expires 3 s after the click
    guard(f"realisation modal for {action.user_id}", respond, job)


def realisation_submitted(body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    submission = payloads.realisation_submission(body)

    def record(messenger: SlackMessenger) -> Answer | None:
        if submission.key is None or submission.answer is None:
            logger.warning("realisation modal without item or answer; ignored")
            return None
        return record_realisation_answer(
            deps.svc,
            user=submission.user_id,
            key=submission.key,
            answer=submission.answer,
            comment=submission.comment or None,
            channel=submission.channel_id,
            ts=submission.message_ts,
            messenger=messenger,
        )

    what = f"realisation comment by {submission.user_id}"
    _answer_modal(deps, client, submission.user_id, what, record)


# ---------------------------------------------------------------- benefit buttons and modals


def _open_modal(
    body: dict[str, Any], respond: Respond, client: WebClient, what: str, view: Callable[..., Any]
) -> None:
    """Open the modal ``view(action)`` builds, at once (its trigger expires 3 s after the click)."""
    action = payloads.block_action(body)

    def job() -> None:
        if not action.trigger_id:
            _stale(respond)
            return
        client.views_open(trigger_id=action.trigger_id, view=view(action))

    guard(f"{what} for {action.user_id}", respond, job)


def _benefit_of(action: payloads.BlockAction, deps: Deps) -> Benefit:
    benefit_id = action.value.get("b")
    if not isinstance(benefit_id, str):
        raise UserError(messages.error_stale_button())
    return find_benefit(deps.svc, benefit_id)


def record_clicked(
    body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    _open_modal(
        body,
        respond,
        client,
        "actual modal",
        lambda action: benefit_blocks.actual_modal(
            _benefit_of(action, deps), channel=action.channel_id, ts=action.message_ts
        ),
    )


def edit_clicked(body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps) -> None:
    action = payloads.block_action(body)
    benefit_id = action.value.get("b")
    inv = deps.invocation(action.user_id, action.channel_id, client, action.trigger_id)
    if not isinstance(benefit_id, str):
        _stale(respond)
        return
    # not queued: the trigger_id for views.open expires 3 s after the click
    guard(
        f"benefit form for {action.user_id}",
        respond,
        lambda: open_benefit_form(deps.svc, benefit_id, inv),
    )


def review_clicked(
    body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    def view(action: payloads.BlockAction) -> Any:
        review_id = action.value.get("r")
        if not isinstance(review_id, int):
            raise UserError(messages.error_stale_button())
        review, benefit = find_review(deps.svc, review_id)
        return benefit_blocks.review_modal(review.id, benefit, review.kind)

    _open_modal(body, respond, client, "review modal", view)


def _submitted(
    deps: Deps, client: WebClient, user: str, what: str, work: Callable[[], str]
) -> None:
    """Do a modal's work on a work thread and DM the person the outcome, good or bad.

    A modal has no ``response_url``: the answer (or the refusal, or the error id) is a DM.
    Bolt runs this even when the ack refused the fields; those the modal shows already, so a
    :class:`~bot.slack.benefit_forms.FormError` here says nothing more.
    """
    messenger = deps.messenger(client)

    def job() -> None:
        try:
            reply = blocks.text_reply(work())
        except benefit_forms.FormError:
            return
        except Exception as e:  # noqa: BLE001 - the edge: every error becomes an answer
            reply = reply_for_error(e, what=what)
        messenger.dm(user, reply)

    deps.later(what, None, job)


def benefit_form_submitted(body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    sub = benefit_forms.submission(body)
    benefit_id = sub.meta.get("b")

    def work() -> str:
        existing = find_benefit(deps.svc, benefit_id) if isinstance(benefit_id, str) else None
        entry = benefit_forms.benefit_from_form(sub, existing=existing)
        roles = benefit_roles(deps.svc, benefit_team(deps.svc, entry))
        action = f"edit {entry.id}" if existing else "create benefits"
        deps.invocation(sub.user_id, None, client).require(roles, action)
        saved = save_benefit(deps.svc, entry, is_new=existing is None, at=deps.svc.clock())
        logger.info("%s saved benefit %s from Slack", sub.user_id, saved.id)
        return messages.benefit_saved(
            saved.id, existing is None, mrkdwn.escape(smart_check(saved).summary())
        )

    _submitted(deps, client, sub.user_id, f"benefit form by {sub.user_id}", work)


def actual_submitted(body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    sub = benefit_forms.submission(body)
    benefit_id = sub.meta.get("b")

    def work() -> str:
        actual = benefit_forms.actual_from_form(
            sub, required=True, note_block=benefit_blocks.BLOCK_NOTE
        )
        if not isinstance(benefit_id, str) or actual.value is None:
            return messages.error_stale_button()
        recorded = measure(
            deps.svc,
            benefit_id,
            actual.value,
            who=sub.user_id,
            confidence=actual.confidence,
            note=actual.note,
        )
        return recorded_text(recorded)

    _submitted(deps, client, sub.user_id, f"actual by {sub.user_id}", work)


def review_submitted(body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    sub = benefit_forms.submission(body)
    review_id = sub.meta.get("r")

    def work() -> str:
        came = benefit_forms.review_came(sub)
        actual = benefit_forms.actual_from_form(
            sub, required=False, note_block=benefit_blocks.BLOCK_LESSON
        )
        if not isinstance(review_id, int):
            return messages.error_stale_button()
        answered = answer_review(
            deps.svc,
            review_id,
            came,
            who=sub.user_id,
            now=deps.svc.clock(),
            actual=actual.value,
            confidence=actual.confidence,
            lesson=actual.note,
        )
        return messages.review_thanks(answered.benefit_id, came)

    _submitted(deps, client, sub.user_id, f"review answer by {sub.user_id}", work)


# ---------------------------------------------------------------- App Home


def home_opened(event: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    opened = payloads.home_opened(event)
    if opened.tab != "home" or not opened.user_id:
        return
    deps.later(
        f"App Home of {opened.user_id}",
        None,
        lambda: publish_home(deps.svc, client, opened.user_id, scores=deps.scores),
    )
