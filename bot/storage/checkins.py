"""Check-in rounds, their ratings and reminders, and realisation answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select, update

from bot.storage.base import StoreBase, chunked
from bot.storage.records import RealisationRecord, StoredRound
from bot.storage.tables import CheckinRating, CheckinReminder, CheckinRound, Realisation
from rules.model import Rating


class CheckinStore(StoreBase):
    def create_round(
        self,
        team: str,
        *,
        items: Sequence[str],
        stakeholders: Sequence[str],
        opened_at: datetime,
        anonymous: bool = False,
        hidden_until_close: bool = False,
        remind_at: datetime | None = None,
    ) -> int:
        row = CheckinRound(
            team=team,
            items=list(items),
            stakeholders=list(stakeholders),
            anonymous=anonymous,
            hidden_until_close=hidden_until_close,
            opened_at=opened_at,
            remind_at=remind_at,
        )
        with self._transaction() as session:
            session.add(row)
            session.flush()
            return row.id

    def get_round(self, round_id: int) -> StoredRound | None:
        with self._transaction() as session:
            row = session.get(CheckinRound, round_id)
            return None if row is None else _round(row)

    def open_rounds(self, team: str | None = None) -> list[StoredRound]:
        """Rounds not closed yet (of ``team``, or of every team), oldest first."""
        conditions: list[ColumnElement[bool]] = [CheckinRound.closed_at.is_(None)]
        if team is not None:
            conditions.append(CheckinRound.team == team)
        return self._rounds(*conditions)

    def rounds(self, team: str, since: datetime | None = None) -> list[StoredRound]:
        """The rounds of ``team``, open and closed (opened from ``since`` on), oldest first."""
        conditions: list[ColumnElement[bool]] = [CheckinRound.team == team]
        if since is not None:
            conditions.append(CheckinRound.opened_at >= since)
        return self._rounds(*conditions)

    def _rounds(self, *conditions: ColumnElement[bool]) -> list[StoredRound]:
        query = select(CheckinRound).where(*conditions).order_by(CheckinRound.id)
        with self._transaction() as session:
            return [_round(row) for row in session.scalars(query)]

    def close_round(self, round_id: int, at: datetime) -> bool:
        """Close the round; False when it was closed already."""
        with self.engine.begin() as connection:
            closed = connection.execute(
                update(CheckinRound)
                .where(CheckinRound.id == round_id, CheckinRound.closed_at.is_(None))
                .values(closed_at=at)
            )
            return bool(closed.rowcount)

    # ------------------------------------------------------------ ratings

    def record_rating(self, round_id: int, rating: Rating) -> bool:
        """Store a rating in a round; returns whether anything changed.

        Each stakeholder has one rating per item and round: a newer one replaces it, while
        the same value and comment again (a double click, a Slack retry) or an older one
        arriving late changes nothing. One conditional upsert decides, so two processes
        handling the same click at once cannot both count it.
        """
        upsert = self._insert(CheckinRating).values(
            round_id=round_id,
            stakeholder=rating.stakeholder,
            item_key=rating.item_key,
            value=rating.value,
            at=rating.at,
            role=rating.role,
            comment=rating.comment,
        )
        new = upsert.excluded
        statement = upsert.on_conflict_do_update(
            index_elements=["round_id", "stakeholder", "item_key"],
            set_={"value": new.value, "at": new.at, "role": new.role, "comment": new.comment},
            where=(CheckinRating.at <= new.at)
            & (
                (CheckinRating.value != new.value)
                | CheckinRating.comment.is_distinct_from(new.comment)
            ),
        ).returning(CheckinRating.id)
        with self.engine.begin() as connection:
            return connection.execute(statement).first() is not None

    def round_ratings(self, round_id: int) -> list[Rating]:
        """The current rating of each stakeholder and item in the round, oldest first."""
        return self._ratings(CheckinRating.round_id == round_id)

    def ratings_for(self, keys: Sequence[str]) -> list[Rating]:
        """Every stored rating of these items, across rounds, oldest first."""
        found: list[Rating] = []
        for chunk in chunked(list(dict.fromkeys(keys))):
            found.extend(self._ratings(CheckinRating.item_key.in_(chunk)))
        found.sort(key=lambda rating: rating.at)  # stable: ties keep the order they were stored
        return found

    def _ratings(self, condition: ColumnElement[bool]) -> list[Rating]:
        query = select(CheckinRating).where(condition).order_by(CheckinRating.at, CheckinRating.id)
        with self._transaction() as session:
            return [
                Rating(
                    stakeholder=row.stakeholder,
                    item_key=row.item_key,
                    value=row.value,
                    at=row.at,
                    role=row.role,
                    comment=row.comment,
                )
                for row in session.scalars(query)
            ]

    def responders(self, round_id: int) -> set[str]:
        """Who has rated at least one item of the round."""
        query = select(CheckinRating.stakeholder).where(CheckinRating.round_id == round_id)
        with self._transaction() as session:
            return set(session.scalars(query))

    # ------------------------------------------------------------ reminders

    def mark_reminded(self, round_id: int, user: str, at: datetime) -> None:
        """Remember that ``user`` was nudged about the round, so they never are twice."""
        with self._transaction() as session:
            session.execute(
                self._insert(CheckinReminder)
                .values(round_id=round_id, stakeholder=user, at=at)
                .on_conflict_do_nothing(index_elements=["round_id", "stakeholder"])
            )

    def reminded(self, round_id: int) -> set[str]:
        query = select(CheckinReminder.stakeholder).where(CheckinReminder.round_id == round_id)
        with self._transaction() as session:
            return set(session.scalars(query))

    # ------------------------------------------------------------ realisation reviews

    def record_realisation(
        self, key: str, user: str, answer: str, comment: str | None, at: datetime
    ) -> None:
        """Store ``user``'s answer about ``key``'s benefit; a later answer replaces theirs."""
        upsert = self._insert(Realisation).values(
            key=key, stakeholder=user, answer=answer, comment=comment, at=at
        )
        new = upsert.excluded
        with self._transaction() as session:
            session.execute(
                upsert.on_conflict_do_update(
                    index_elements=["key", "stakeholder"],
                    set_={"answer": new.answer, "comment": new.comment, "at": new.at},
                    where=Realisation.at <= new.at,
                )
            )

    def realisations(self, keys: Sequence[str] | None = None) -> list[RealisationRecord]:
        """Realisation answers (about ``keys``, or all), oldest first."""
        query = select(Realisation).order_by(Realisation.at, Realisation.id)
        chunks = [None] if keys is None else chunked(list(dict.fromkeys(keys)))
        found: list[RealisationRecord] = []
        with self._transaction() as session:
            for chunk in chunks:
                chosen = query if chunk is None else query.where(Realisation.key.in_(chunk))
                found.extend(
                    RealisationRecord(row.key, row.stakeholder, row.answer, row.comment, row.at)
                    for row in session.scalars(chosen)
                )
        found.sort(key=lambda answer: answer.at)
        return found


def _round(row: CheckinRound) -> StoredRound:
    return StoredRound(
        id=row.id,
        team=row.team,
        items=tuple(row.items),
        stakeholders=tuple(row.stakeholders),
        anonymous=row.anonymous,
        hidden_until_close=row.hidden_until_close,
        opened_at=row.opened_at,
        remind_at=row.remind_at,
        closed_at=row.closed_at,
    )
