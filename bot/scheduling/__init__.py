"""Scheduled work: digests, sprint reminders, check-ins and syncs, each exactly once.

* :mod:`~bot.scheduling.triggers`: team schedule strings -> cron triggers on the team's clock.
* :mod:`~bot.scheduling.budget`: quiet hours, quiet days and a daily cap per team.
* :mod:`~bot.scheduling.jobs`: the jobs, each a few lines that ask the budget and call a use
  case (:mod:`bot.usecases`); imports no APScheduler.
* :mod:`~bot.scheduling.deferrals` and :mod:`~bot.scheduling.batch`: work the budget held back,
  retries of failed posts, and held-back posts sent as one message.
* :mod:`~bot.scheduling.runner`: the APScheduler process (``northstar scheduler``), which runs
  only while elected leader (:mod:`~bot.scheduling.leader`). Web processes never import it.

Import the submodules directly; this package imports nothing, so ``import bot.scheduling.jobs``
does not load APScheduler.
"""
