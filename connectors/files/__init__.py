"""Backlogs kept in CSV or JSON files: a spreadsheet export, a hand-made list, a research dataset.

The file's row order is the backlog order, best first. A CSV file (UTF-8, an Excel byte-order
mark is fine; separated by ``,``, ``;`` or tabs) has one header row naming its columns; a JSON
file is a list of objects whose keys are the same names. Only ``key`` is
required; an empty cell, a JSON ``null`` or the literal ``NULL`` means "not given". Header names
are matched ignoring case, spaces and dashes (``Business Value`` = ``business_value``).

Columns (CSV header names = JSON keys):

=================  ===========================================================================
column             meaning
=================  ===========================================================================
key                issue key, unique (required), e.g. ``PAY-12``
summary            one-line title
type               issue type: Story (default), Bug, Task, Incident, Spike, Epic ...
status             workflow status name, e.g. ``In Progress`` (default from status_category)
status_category    ``new``, ``indeterminate`` or ``done`` (also ``To Do``/``In Progress``/
                   ``Done``); when empty it is guessed from ``status``, else ``done`` if
                   ``resolved`` is set, else ``new``
labels             labels separated by ``;`` (``security;ux``); a JSON list also works
components         components separated by ``;``
priority           e.g. ``High``
created            ISO 8601 date-time (``2026-10-01T09:30:00Z``); no zone means UTC; a bare
updated            date means midnight UTC
resolved
due                ISO 8601 date (``2026-12-31``)
sprint_id          number of the sprint the item is in
sprint_name        sprint name (an id is derived from it when sprint_id is empty)
sprint_state       ``active`` (default when a sprint is given), ``future`` or ``closed``
sprint_goal        the sprint goal, quoted in sprint-start reminders
sprint_start       ISO 8601 date-times of the sprint
sprint_end
parent             key of the parent (usually an epic)
blocks             keys this item blocks, separated by ``;``
blocked_by         keys blocking this item, separated by ``;``
team               team name
cost               story points, 0 or more (negative is an error naming the key; 0 is kept,
                   and scoring reads it as unestimated: see :class:`FileSummary`)
business_value     WSJF inputs, SAFe's 1, 2, 3, 5, 8, 13, 20 scale
time_criticality
risk_reduction
reach              RICE / ICE inputs
impact
confidence
ease
benefit_per_week   cost of delay in money a week
benefit_category   ``financial``, ``operational``, ``customer`` or ``strategic``
score              the value score Northstar last wrote
=================  ===========================================================================

Also accepted, so research datasets load as they are: ``issuekey``/``issue_key`` (key),
``title`` (summary), ``storypoint``/``story_point``/``story_points`` (cost),
``creation_date`` (created) and ``resolution_date`` (resolved); the columns ``description``,
``id``, ``resolution``, ``timespent``, ``in_progress_minutes``, ``total_effort_minutes`` and
``resolution_time_minutes`` are kept but not read. Any other column is an error that lists the
columns above, so a typo never silently drops an input. A quote that opens a cell and is never
closed is an error naming the line where that cell starts (a lenient reader would swallow every
row after it). Done rows are read (``why`` can explain them) and left out of the ranking;
:attr:`FileConnector.summary` counts them so the CLI can say so.

Writing back: scores, writable inputs and rank moves change the file itself. It is written to
a temporary file beside it and swapped in with :func:`os.replace`, so a crash never leaves half
a file. Only the cells that changed are rewritten; other cells keep their text (and JSON objects
their other keys), rows follow the new backlog order, and a column that is written but absent
(``score`` the first time) is added at the end. A JSON file is written back with two-space
indentation. The file is read again whenever it changed on disk, so hand edits are picked up;
since nobody stamps ``updated`` when editing a file by hand, every fetch is complete.
"""

from connectors.files.backlog_file import FileConnector, FileSummary
from connectors.files.cells import field_value, item_from_record
from connectors.files.csv_file import CsvConnector
from connectors.files.json_file import JsonConnector
from connectors.files.schema import ALIASES, COLUMNS, IGNORED, FileFormatError, resolve_columns

__all__ = [
    "ALIASES",
    "COLUMNS",
    "IGNORED",
    "CsvConnector",
    "FileConnector",
    "FileFormatError",
    "FileSummary",
    "JsonConnector",
    "field_value",
    "item_from_record",
    "resolve_columns",
]
