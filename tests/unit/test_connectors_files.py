"""Partner files to events without a broker: mapping per format, drop folder, CAP writer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from connectors.cap.writer import CapFolderWriter
from connectors.files import MapOptions, map_cap, map_csv, map_edxl
from connectors.folder import DropFolder, move_done, move_rejected
from connectors.schemas import CAP_1_2_XSD, load_schema
from hub.contracts.events.catalogue import parse_event
from hub.contracts.outputs.signals import EscalationData, EscalationRaised, SignalSeverity
from hub.domain import testing as given
from tests.unit.test_connectors_edxl_rm import COMMIT

CSV = (
    "resource_type,total,available,valid_until\npump,5,3,2099-01-01T00:00:00Z\nbus,2,9,2099-01-01\n"
)
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_csv_maps_good_rows_and_refuses_bad_lines_by_number() -> None:
    """One event for the good row, one refusal naming line 3."""
    result = map_csv(CSV.encode(), MapOptions("vr20"))
    assert [e.type for e in result.events] == ["nl.kcr.capacity.reported"]
    assert result.refused
    assert result.refusals[0].startswith("line 3: available 9 exceeds total 2")


def test_bad_files_are_refusals_not_exceptions() -> None:
    """Malformed XML, a non-EDXL root and a CSV without header each give one clear reason."""
    assert "not well-formed XML" in map_cap(b"<alert", MapOptions("vr19")).refusals[0]
    assert "(not_edxl)" in map_edxl(b"<report/>", MapOptions("vr19")).refusals[0]
    assert "CSV header (line 1)" in map_csv(b"pump,3\n", MapOptions("vr20")).refusals[0]


def test_edxl_accepts_a_bare_rm_commitment() -> None:
    """A CommitResource outside a distribution maps to an offer; the declined item is refused."""
    result = map_edxl(COMMIT.encode(), MapOptions("vr20"))
    assert [e.type for e in result.events] == ["nl.kcr.assistance.offered"]
    assert "declined" in result.refusals[0]


def test_drop_folder_takes_only_files_whose_size_held(tmp_path: Path) -> None:
    """A new file waits one poll; then it is ready, and moved files are never seen again."""
    folder = DropFolder(tmp_path / "in")
    file = folder.folder / "a.csv"
    file.write_text(CSV)
    assert folder.ready() == []
    assert folder.ready() == [file]
    move_done(file)
    assert folder.ready() == []
    assert (folder.folder / "done" / "a.csv").read_text() == CSV


def test_rejected_files_get_a_reason_file_and_never_overwrite(tmp_path: Path) -> None:
    """A second rejected file of the same name gets a numbered name and its own reasons."""
    for reason in ("first", "second"):
        (tmp_path / "x.csv").write_text(reason)
        moved = move_rejected(tmp_path / "x.csv", [f"line 2: {reason}"])
        assert moved.with_name(moved.name + ".reason.txt").read_text() == f"line 2: {reason}\n"
    assert sorted(p.name for p in (tmp_path / "rejected").iterdir()) == [
        "x.1.csv", "x.1.csv.reason.txt", "x.csv", "x.csv.reason.txt",
    ]  # fmt: skip


def _raised() -> EscalationRaised:
    data = EscalationData(
        signal_id="grip-high/inc-1", rule="grip_high", severity=SignalSeverity.CRITICAL,
        title="GRIP 4", details="GRIP 4 in Zeeland", regions=("vr19",), evidence=("ev-1",),
        since=NOW, observed_at=NOW,
    )  # fmt: skip
    return EscalationRaised(
        id="grip-high/inc-1:raised:1", subject=data.signal_id, time=NOW, data=data
    )


def test_writer_writes_signals_and_public_warnings_as_valid_cap(tmp_path: Path) -> None:
    """A signal and a CLEAR incident become XSD-valid files; AMBER incidents and views do not."""
    writer = CapFolderWriter(tmp_path)
    public = given.incident_reported("inc-1", NOW, "vr19", tlp="CLEAR")
    amber = given.incident_reported("inc-2", NOW, "vr19")
    closed = given.incident_closed("inc-1", NOW, "vr19", tlp="CLEAR")
    written = [writer.write(item) for item in (_raised(), public, amber, closed)]
    assert written[2] is None
    files = [path for path in written if path is not None]
    assert [p.parent for p in files] == [tmp_path] * 3
    assert "/" not in files[0].name[:-4]
    schema = load_schema(CAP_1_2_XSD)
    assert all(schema.validate(etree.parse(str(path))) for path in files)


def test_writer_skips_an_update_whose_report_it_never_saw(tmp_path: Path) -> None:
    """CAP needs the original alert to reference, so an orphan update is not written."""
    document = given.incident_updated("inc-9", NOW, "vr19", tlp="CLEAR").model_dump(mode="json")
    assert CapFolderWriter(tmp_path).write(parse_event(document)) is None
