from __future__ import annotations

import json
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.base import ConnectorConfigError, ConnectorError
from connectors.files import COLUMNS, CsvConnector, FileFormatError, JsonConnector
from rules.model import BenefitCategory, RankMove, SprintState, StatusCategory

EVERY_COLUMN_ROW = {
    "key": "PAY-7",
    "summary": "Retry failed card payments",
    "type": "Bug",
    "status": "In Review",
    "status_category": "indeterminate",
    "labels": "security;payments",
    "components": "Checkout;Risk",
    "priority": "High",
    "created": "2026-09-01T08:30:00Z",
    "updated": "2026-10-30T12:00:00+02:00",
    "resolved": "",
    "due": "2026-12-31",
    "sprint_id": "42",
    "sprint_name": "PAY Sprint 24",
    "sprint_state": "active",
    "sprint_goal": "Refunds without a ticket",
    "sprint_start": "2026-10-30",
    "sprint_end": "2026-11-13",
    "parent": "PAY-1",
    "blocks": "PAY-8;PAY-9",
    "blocked_by": "PAY-2",
    "team": "payments",
    "cost": "5",
    "business_value": "13",
    "time_criticality": "8",
    "risk_reduction": "3",
    "reach": "1000",
    "impact": "2",
    "confidence": "0.8",
    "ease": "7",
    "benefit_per_week": "2500.50",
    "benefit_category": "financial",
    "score": "4.25",
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def csv_text(*rows: str, header: str = "key,summary,cost") -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    return write(
        tmp_path / "backlog.csv",
        csv_text(
            'A-1,"Retry payments, safely",3',
            "A-2,Export invoices,NULL",
            "A-3,Apple Pay,8",
            header="key,summary,cost",
        ),
    )


# --- reading ----------------------------------------------------------------------------------


def test_every_documented_column_is_read_into_the_item(tmp_path):
    assert list(EVERY_COLUMN_ROW) == list(COLUMNS)
    path = write(
        tmp_path / "all.csv",
        ",".join(EVERY_COLUMN_ROW) + "\n" + ",".join(EVERY_COLUMN_ROW.values()) + "\n",
    )
    item = CsvConnector(path).fetch_items().items[0]

    assert item.key == "PAY-7"
    assert item.type == "Bug"
    assert item.status == "In Review"
    assert item.status_category is StatusCategory.IN_PROGRESS
    assert item.labels == ("security", "payments")
    assert item.components == ("Checkout", "Risk")
    assert item.created == datetime(2026, 9, 1, 8, 30, tzinfo=UTC)
    assert item.updated is not None
    assert item.updated.utcoffset() is not None
    assert item.resolved is None
    assert item.due == date(2026, 12, 31)
    assert item.sprint is not None
    assert (item.sprint.id, item.sprint.name, item.sprint.state) == (
        42,
        "PAY Sprint 24",
        SprintState.ACTIVE,
    )
    assert item.sprint.goal == "Refunds without a ticket"
    assert item.sprint.start == datetime(2026, 10, 30, tzinfo=UTC)
    assert (item.parent, item.blocks, item.blocked_by) == ("PAY-1", ("PAY-8", "PAY-9"), ("PAY-2",))
    assert item.team == "payments"
    assert (item.cost, item.business_value, item.time_criticality, item.risk_reduction) == (
        5,
        13,
        8,
        3,
    )
    assert (item.reach, item.impact, item.confidence, item.ease) == (1000, 2, 0.8, 7)
    assert item.benefit_per_week == 2500.5
    assert item.benefit_category is BenefitCategory.FINANCIAL
    assert item.score == 4.25


def test_json_objects_take_the_same_keys_with_native_types(tmp_path):
    entry: dict[str, object] = {
        key: value for key, value in EVERY_COLUMN_ROW.items() if value != ""
    }
    entry.update(labels=["security", "payments"], cost=5, confidence=0.8, sprint_id=42, due=None)
    path = write(tmp_path / "all.json", json.dumps([entry]))

    item = JsonConnector(path).fetch_items().items[0]

    assert item.labels == ("security", "payments")
    assert item.cost == 5
    assert item.confidence == 0.8
    assert item.due is None
    assert item.sprint is not None
    assert item.sprint.id == 42


def test_row_order_is_the_backlog_order(small_csv):
    connector = CsvConnector(small_csv)
    assert connector.read_order() == ["A-1", "A-2", "A-3"]
    keys = [item.order_key or "" for item in connector.fetch_items().items]
    assert keys == sorted(keys)


def test_empty_cells_and_null_mean_not_given(small_csv):
    items = {item.key: item for item in CsvConnector(small_csv).fetch_items().items}
    assert items["A-2"].cost is None
    assert items["A-1"].summary == "Retry payments, safely"
    assert items["A-1"].business_value is None


def test_header_names_ignore_case_spaces_and_dashes(tmp_path):
    path = write(tmp_path / "b.csv", "Key,Business Value,Time-Criticality\nX-1,8,5\n")
    item = CsvConnector(path).fetch_items().items[0]
    assert (item.business_value, item.time_criticality) == (8, 5)


def test_a_semicolon_separated_export_is_read(tmp_path):
    path = write(tmp_path / "excel.csv", "key;summary;labels\nX-1;Fix it;a\n")
    item = CsvConnector(path).fetch_items().items[0]
    assert (item.summary, item.labels) == ("Fix it", ("a",))


def test_a_byte_order_mark_from_excel_is_ignored(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("key,cost\nX-1,3\n".encode("utf-8-sig"))
    assert CsvConnector(path).read_order() == ["X-1"]


@pytest.mark.parametrize(
    ("status", "resolved", "category"),
    [
        ("Closed", "", StatusCategory.DONE),
        ("Won't Fix", "", StatusCategory.DONE),
        ("In Review", "", StatusCategory.IN_PROGRESS),
        ("Open", "", StatusCategory.TODO),
        ("", "2026-10-01", StatusCategory.DONE),
        ("", "", StatusCategory.TODO),
    ],
    ids=["closed", "wont_fix", "in_review", "open", "resolved_only", "nothing"],
)
def test_status_category_is_guessed_when_the_column_is_empty(tmp_path, status, resolved, category):
    path = write(tmp_path / "s.csv", f'key,status,resolved\nX-1,"{status}",{resolved}\n')
    item = CsvConnector(path).fetch_items().items[0]
    assert item.status_category is category
    assert item.status  # a status name is filled in when none is given


def test_status_category_accepts_jira_display_names(tmp_path):
    path = write(tmp_path / "s.csv", "key,status_category\nX-1,In Progress\nX-2,To Do\n")
    categories = [item.status_category for item in CsvConnector(path).fetch_items().items]
    assert categories == [StatusCategory.IN_PROGRESS, StatusCategory.TODO]


def test_a_sprint_named_without_an_id_gets_a_stable_id_and_is_active(tmp_path):
    path = write(tmp_path / "s.csv", "key,sprint_name\nX-1,Sprint 9\nX-2,Sprint 9\n")
    first, second = CsvConnector(path).fetch_items().items
    again = CsvConnector(path).fetch_items().items[0]
    assert first.sprint is not None
    assert first.sprint == second.sprint == again.sprint
    assert first.sprint.state is SprintState.ACTIVE
    assert [sprint.name for sprint in CsvConnector(path).list_sprints()] == ["Sprint 9"]


def test_times_without_a_zone_are_utc_and_dates_are_midnight(tmp_path):
    path = write(tmp_path / "t.csv", "key,created,updated\nX-1,2026-10-01 09:30:00,2026-10-02\n")
    item = CsvConnector(path).fetch_items().items[0]
    assert item.created == datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
    assert item.updated == datetime(2026, 10, 2, tzinfo=UTC)


def test_the_research_dataset_shape_is_read_through_aliases(tmp_path):
    text = (
        "issuekey,title,description,storypoint\n"
        'USERGRID-16,"Asset data ignores ownership","""Long""\n text, over lines",3\n'
        "USERGRID-17,Expose refresh token,NULL,NULL\n"
    )
    items = CsvConnector(write(tmp_path / "usergrid.csv", text)).fetch_items().items
    assert [(item.key, item.summary, item.cost) for item in items] == [
        ("USERGRID-16", "Asset data ignores ownership", 3),
        ("USERGRID-17", "Expose refresh token", None),
    ]
    assert all(item.status_category is StatusCategory.TODO for item in items)


def test_the_vendor_story_point_dataset_loads_as_it_is(vendor):
    path = vendor / "datasets" / "choetkiertikul2018-storypoint" / "usergrid.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the story-point dataset of README, Development")
    items = CsvConnector(path).fetch_items().items
    assert len(items) > 400
    assert items[0].key.startswith("USERGRID-")
    assert all(item.cost in {1, 2, 3, 5, 8, 13, 20, None} for item in items)


# --- errors -----------------------------------------------------------------------------------


def test_an_unknown_column_is_named_with_a_suggestion_and_the_allowed_columns(tmp_path):
    path = write(tmp_path / "b.csv", "key,buisness_value\nX-1,3\n")
    with pytest.raises(FileFormatError) as error:
        CsvConnector(path)
    message = str(error.value)
    assert "unknown column 'buisness_value'" in message
    assert "did you mean 'business_value'?" in message
    assert "time_criticality" in message
    assert "storypoint (cost)" in message
    assert str(path) in message


def test_two_columns_for_the_same_field_are_refused(tmp_path):
    path = write(tmp_path / "b.csv", "key,issuekey\nX-1,X-1\n")
    with pytest.raises(FileFormatError, match=r"columns 'key' and 'issuekey' both give key"):
        CsvConnector(path)


def test_a_file_without_a_key_column_says_which_column_is_needed(tmp_path):
    path = write(tmp_path / "b.csv", "summary,cost\nHello,3\n")
    with pytest.raises(FileFormatError, match=r"needs a 'key' column"):
        CsvConnector(path)


def test_an_empty_file_asks_for_a_header(tmp_path):
    with pytest.raises(FileFormatError, match=r"the file is empty; it needs a header row"):
        CsvConnector(write(tmp_path / "empty.csv", ""))


def test_a_header_only_file_is_an_empty_backlog(tmp_path):
    assert CsvConnector(write(tmp_path / "h.csv", "key,cost\n")).read_order() == []


def test_a_bad_number_names_file_line_row_column_and_value(tmp_path):
    path = write(
        tmp_path / "b.csv",
        'key,summary,cost\nX-1,"two\nlines",3\nX-2,ok,five\n',
    )
    with pytest.raises(FileFormatError) as error:
        CsvConnector(path)
    assert str(error.value) == (
        f"{path}, line 4 (row 2) (X-2), column 'cost': 'five' is not a number"
    )
    assert (error.value.column, error.value.value) == ("cost", "five")


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("cost", "inf", "is not a finite number"),
        ("sprint_id", "4.5", "is not a whole number"),
        ("created", "yesterday", "is not an ISO 8601 date-time"),
        ("due", "31/12/2026", "is not an ISO 8601 date"),
        ("status_category", "doing", "is not one of new, indeterminate, done"),
        ("sprint_state", "open", "is not one of future, active, closed"),
        ("benefit_category", "money", "is not one of financial, operational"),
    ],
    ids=["infinite", "fraction_id", "bad_time", "bad_date", "category", "sprint_state", "benefit"],
)
def test_a_bad_cell_is_reported_with_its_column(tmp_path, column, value, problem):
    path = write(tmp_path / "b.csv", f"key,{column}\nX-1,{value}\n")
    with pytest.raises(FileFormatError, match=problem) as error:
        CsvConnector(path)
    assert f"line 2 (row 1) (X-1), column '{column}'" in str(error.value)


def test_an_empty_key_is_refused(tmp_path):
    path = write(tmp_path / "b.csv", "key,cost\n,3\n")
    with pytest.raises(FileFormatError, match=r"line 2 \(row 1\): the key is empty"):
        CsvConnector(path)


def test_a_key_twice_names_both_lines(tmp_path):
    path = write(tmp_path / "b.csv", "key,cost\nX-1,3\nX-2,1\nX-1,5\n")
    with pytest.raises(FileFormatError, match=r"line 4 \(row 3\): X-1 is also on line 2"):
        CsvConnector(path)


def test_a_row_longer_than_the_header_hints_at_missing_quotes(tmp_path):
    path = write(tmp_path / "b.csv", "key,summary\nX-1,Retry payments, safely\n")
    with pytest.raises(
        FileFormatError,
        match=r"line 2 \(row 1\): the row has 3 cells but the header names 2 columns",
    ):
        CsvConnector(path)


def test_blank_lines_are_skipped(tmp_path):
    path = write(tmp_path / "b.csv", "key,cost\nX-1,3\n\n,\nX-2,1\n")
    assert CsvConnector(path).read_order() == ["X-1", "X-2"]


def test_a_missing_file_says_where_it_was_looked_for(tmp_path):
    with pytest.raises(ConnectorConfigError, match=r"backlog file .*nope.csv not found"):
        CsvConnector(tmp_path / "nope.csv")


def test_a_folder_is_not_a_backlog_file(tmp_path):
    with pytest.raises(ConnectorConfigError, match=r"is a folder"):
        JsonConnector(tmp_path)


def test_a_file_that_is_not_utf8_says_how_to_fix_it(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("key,summary\nX-1,Gr\xfc\xdfe\n".encode("latin-1"))
    with pytest.raises(
        FileFormatError, match=r"latin.csv, line 2: not UTF-8 text; save the file as UTF-8"
    ):
        CsvConnector(path)


def test_invalid_json_names_line_and_column(tmp_path):
    path = write(tmp_path / "b.json", '[\n  {"key": "X-1",}\n]')
    with pytest.raises(
        FileFormatError, match=r"b.json, line 2, column 17: not valid JSON: Expecting property name"
    ):
        JsonConnector(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"key": "X-1"}', r"a JSON backlog is a list of objects, one per issue, not a dict"),
        ('["X-1"]', r"item 1: a str, not an object"),
        ('[{"key": "X-1", "cost": true}]', r"item 1 \(X-1\), column 'cost': True is not a number"),
        ('[{"key": "X-1", "labels": [1, {}]}]', r"column 'labels': \{\} is not text"),
        ('[{"key": "X-1"}, {"key": "X-1"}]', r"item 2: X-1 is also item 1"),
        ('[{"key": "X-1", "costs": 3}]', r"item 1: unknown column 'costs'; did you mean 'cost'"),
    ],
    ids=["not_a_list", "not_objects", "bool_number", "bad_list", "duplicate", "unknown_key"],
)
def test_json_errors_name_the_item(tmp_path, text, problem):
    with pytest.raises(FileFormatError, match=problem):
        JsonConnector(write(tmp_path / "b.json", text))


def test_a_typo_in_writable_fails_at_start(small_csv):
    with pytest.raises(ConnectorConfigError, match=r"'buisness_value'.*did you mean"):
        CsvConnector(small_csv, writable=("score", "buisness_value"))


# --- writing back -----------------------------------------------------------------------------


def test_written_scores_go_into_a_new_score_column_and_other_cells_keep_their_text(small_csv):
    connector = CsvConnector(small_csv)

    assert connector.write_scores({"A-1": 7.123, "A-3": 2}) == ["A-1", "A-3"]

    assert small_csv.read_text(encoding="utf-8") == (
        "key,summary,cost,score\n"
        'A-1,"Retry payments, safely",3,7.12\n'
        "A-2,Export invoices,NULL,\n"
        "A-3,Apple Pay,8,2\n"
    )
    assert CsvConnector(small_csv).write_scores({"A-1": 7.12, "A-3": 2.0}) == []


def test_a_rank_move_rewrites_the_rows_in_the_new_order(small_csv):
    connector = CsvConnector(small_csv)
    connector.apply_move(RankMove(issues=("A-3", "A-2"), before="A-1"))

    lines = small_csv.read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines] == ["key", "A-3", "A-2", "A-1"]
    assert CsvConnector(small_csv).read_order() == ["A-3", "A-2", "A-1"]


def test_a_writable_input_is_saved_into_its_aliased_column(tmp_path):
    path = write(tmp_path / "d.csv", "issuekey,title,storypoint\nU-1,Hello,3\n")
    CsvConnector(path, writable=("score", "cost")).write_inputs("U-1", {"cost": 5})
    assert path.read_text(encoding="utf-8") == "issuekey,title,storypoint\nU-1,Hello,5\n"


def test_delimiter_and_line_endings_are_kept(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"key;summary\r\nX-1;a\r\nX-2;b\r\n")
    CsvConnector(path).apply_move(RankMove(issues=("X-2",), before="X-1"))
    assert path.read_bytes() == b"key;summary\r\nX-2;b\r\nX-1;a\r\n"


def test_saving_keeps_the_file_mode_and_leaves_no_temporary_files(small_csv):
    os.chmod(small_csv, 0o644)
    CsvConnector(small_csv).write_scores({"A-1": 1})
    assert stat.S_IMODE(small_csv.stat().st_mode) == 0o644
    assert sorted(path.name for path in small_csv.parent.iterdir()) == ["backlog.csv"]


def test_json_writes_keep_other_keys_and_add_the_score(tmp_path):
    path = write(
        tmp_path / "b.json",
        json.dumps(
            [
                {"issuekey": "X-1", "labels": ["a", "b"], "storypoint": 3},
                {"key": "X-2", "labels": "c;d"},
            ]
        ),
    )
    connector = JsonConnector(path, writable=("score", "cost"))
    connector.write_scores({"X-1": 2.5, "X-2": 4})
    connector.write_inputs("X-1", {"cost": 8})
    connector.apply_move(RankMove(issues=("X-2",), before="X-1"))

    assert json.loads(path.read_text(encoding="utf-8")) == [
        {"key": "X-2", "labels": "c;d", "score": 4},
        {"issuekey": "X-1", "labels": ["a", "b"], "storypoint": 8, "score": 2.5},
    ]
    reread = JsonConnector(path).fetch_items().items
    assert [(item.key, item.cost, item.score) for item in reread] == [
        ("X-2", None, 4),
        ("X-1", 8, 2.5),
    ]


def test_edits_made_to_the_file_by_hand_are_picked_up(small_csv):
    connector = CsvConnector(small_csv)
    connector.fetch_items()
    with small_csv.open("a", encoding="utf-8") as stream:
        stream.write("A-4,Added by hand,2\n")

    assert connector.read_order() == ["A-1", "A-2", "A-3", "A-4"]


def test_a_file_broken_by_hand_is_reported_on_the_next_fetch(small_csv):
    connector = CsvConnector(small_csv)
    write(small_csv, "key,cost\nA-1,lots\n")
    with pytest.raises(FileFormatError, match=r"'lots' is not a number"):
        connector.fetch_items()


def test_files_have_no_change_log_so_every_fetch_is_complete(small_csv):
    result = CsvConnector(small_csv).fetch_items(since=datetime(2030, 1, 1, tzinfo=UTC))
    assert result.complete
    assert len(result.items) == 3


class UnwritableCsvConnector(CsvConnector):
    """A disk that refuses the write (running as root, file modes cannot simulate that)."""

    def _write_atomically(self, text: str) -> None:
        raise ConnectorError(f"cannot write backlog file {self.path}: No space left on device")


def test_a_failed_save_leaves_memory_and_file_as_they_were(small_csv):
    before = small_csv.read_text(encoding="utf-8")
    connector = UnwritableCsvConnector(small_csv)

    with pytest.raises(ConnectorError, match=r"No space left"):
        connector.write_scores({"A-1": 9})
    with pytest.raises(ConnectorError, match=r"No space left"):
        connector.apply_move(RankMove(issues=("A-3",), before="A-1"))

    assert connector.item("A-1").score is None
    assert connector.read_order() == ["A-1", "A-2", "A-3"]
    assert small_csv.read_text(encoding="utf-8") == before


# --- data that is wrong, said so (issue 12) -------------------------------------------------


def test_an_unterminated_quote_fails_naming_the_line_where_the_quoted_cell_starts(tmp_path):
    rows = [f"A-{n},Row {n},3" for n in range(1, 1001)]
    rows[9] = 'A-10,"Summary with an opening quote only,3'
    path = write(tmp_path / "big.csv", csv_text(*rows))
    with pytest.raises(FileFormatError, match=r"big.csv, line 11: a quoted cell starts here"):
        CsvConnector(path)


def test_a_quote_closed_too_early_is_found_where_it_opened(tmp_path):
    text = csv_text("A-1,ok,1", 'A-2,"broken,2', "A-3,x,3", 'A-4,"ends" here,4', "A-5,z,5")
    path = write(tmp_path / "b.csv", text)
    with pytest.raises(FileFormatError, match=r"b.csv, line 3: a quoted cell starts here"):
        CsvConnector(path)


def test_quoted_cells_over_several_lines_and_doubled_quotes_still_read(tmp_path):
    text = csv_text('A-1,"two\nlines",1', 'A-2,"say ""hi""",2', "A-3,plain,3")
    items = CsvConnector(write(tmp_path / "ok.csv", text)).fetch_items().items
    assert [item.summary for item in items] == ["two\nlines", 'say "hi"', "plain"]


def test_negative_story_points_are_refused_naming_the_key(tmp_path):
    path = write(tmp_path / "neg.csv", csv_text("A-1,fine,3", "A-2,broken,-3"))
    with pytest.raises(
        FileFormatError, match=r"line 3 \(row 2\) \(A-2\).*'cost'.*A-2 has -3 story"
    ):
        CsvConnector(path)


def test_negative_story_points_in_json_are_refused_too(tmp_path):
    path = write(tmp_path / "neg.json", json.dumps([{"key": "A-1", "story_points": -1}]))
    with pytest.raises(FileFormatError, match=r"item 1 \(A-1\).*A-1 has -1 story points"):
        JsonConnector(path)


def test_zero_story_points_are_kept_as_zero_and_explained_truthfully(tmp_path):
    path = write(tmp_path / "zero.csv", csv_text("A-1,free,0", "A-2,paid,3"))
    connector = CsvConnector(path)
    assert [item.cost for item in connector.fetch_items().items] == [0.0, 3.0]
    assert connector.summary.zero_cost == ("A-1",)
    (note,) = connector.summary.notes()
    assert "1 row(s) have 0 story points (A-1)" in note
    assert "use [scoring] default_cost" in note


def test_a_file_where_every_issue_is_done_says_how_many_rows_were_left_out(tmp_path):
    path = write(
        tmp_path / "done.csv",
        csv_text(
            "A-1,one,Done", "A-2,two,Closed", "A-3,three,Resolved", header="key,summary,status"
        ),
    )
    connector = CsvConnector(path)
    assert (connector.summary.rows, connector.summary.done) == (3, 3)
    assert connector.summary.notes() == [
        f"{path}: all 3 rows are done (status category done), so none is left to rank"
    ]


def test_some_done_rows_are_counted_and_the_count_follows_hand_edits(tmp_path):
    path = write(
        tmp_path / "some.csv",
        csv_text("A-1,one,Done", "A-2,two,To Do", header="key,summary,status"),
    )
    connector = CsvConnector(path)
    assert connector.summary.notes() == [
        f"{path}: 1 of 2 rows are done (status category done) and left out of the ranking"
    ]
    write(path, csv_text("A-1,one,To Do", "A-2,two,To Do", header="key,summary,status"))
    os.utime(path, ns=(1, 1))
    connector.fetch_items()
    assert connector.summary.done == 0
    assert connector.summary.notes() == []


def test_fetch_by_keys_reads_the_file_as_it_is_now_and_leaves_unknown_keys_out(small_csv):
    connector = CsvConnector(small_csv)
    connector.fetch_items()
    write(small_csv, small_csv.read_text(encoding="utf-8") + "A-4,Refund by link,5\n")

    found = connector.fetch_by_keys(["A-4", "A-9", "A-1"])

    assert [(item.key, item.cost) for item in found] == [("A-4", 5), ("A-1", 3)]
