"""Scheduled work: digests, sprint reminders, check-ins and syncs, each exactly once.

* :mod:`~bot.scheduling.triggers`: team schedule strings -> cron triggers on the team's clock.
* :mod:`~bot.scheduling.budget`: quiet hours, quiet days and a daily cap per team.
* :mod:`~bot.scheduling.jobs`: the jobs (thin wrappers over use cases, idempotent per period) and
  what the CLI calls (:func:`~bot.scheduling.jobs.post_digest`, ``preview_digest``,
  ``post_reminder``). Imports no APScheduler, so the Slack app may use it.
* :mod:`~bot.scheduling.runner`: the APScheduler process (``northstar scheduler``), which runs
  only while elected leader (:mod:`~bot.scheduling.leader`). Web processes never import it.
* :mod:`~bot.chat.pacing`: per-channel pacing and 429 handling for posts.

Import the submodules directly; this package imports nothing, so ``import bot.scheduling.jobs``
does not load APScheduler.
"""
