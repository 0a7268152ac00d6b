"""The watch folder never stops on one file, and files over the import limit are never read."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from connectors.files import FileTooLarge, read_import_file
from connectors.folder import DropFolder, settle
from hub.settings import MAX_IMPORT_BYTES, Settings


def test_the_one_limit_is_the_default_setting() -> None:
    """Files, watched files and the bridge share KCR_MAX_IMPORT_BYTES (1 MiB by default)."""
    assert Settings().max_import_bytes == MAX_IMPORT_BYTES == 1024 * 1024
    assert Settings(max_import_bytes=10).max_import_bytes == 10


def test_a_file_at_the_limit_is_read_one_over_is_refused(tmp_path: Path) -> None:
    """The refusal names the file, its size, the limit and the setting to change."""
    at, over = tmp_path / "at.xml", tmp_path / "over.xml"
    at.write_bytes(b"x" * 100)
    over.write_bytes(b"x" * 101)
    assert read_import_file(at, 100) == b"x" * 100
    with pytest.raises(FileTooLarge) as caught:
        read_import_file(over, 100)
    assert (caught.value.size, caught.value.limit) == (101, 100)
    assert "over.xml is 101 bytes or more, over the import limit of 100 bytes" in str(caught.value)
    assert "KCR_MAX_IMPORT_BYTES" in (caught.value.fix or "")


async def _refusing(file: Path) -> Sequence[str]:
    return ["line 2: bad"] if file.name.startswith("bad") else []


async def _crashing(file: Path) -> Sequence[str]:
    raise RuntimeError(f"bug while reading {file.name}")


async def test_settle_moves_by_outcome_and_rejects_on_any_exception(tmp_path: Path) -> None:
    """done/ when all went in, rejected/ with reasons when not, and an exception is a reason."""
    for name in ("good.xml", "bad.xml", "boom.xml"):
        (tmp_path / name).write_text(name)
    assert await settle(tmp_path / "good.xml", _refusing) == tmp_path / "done" / "good.xml"
    assert await settle(tmp_path / "bad.xml", _refusing) == tmp_path / "rejected" / "bad.xml"
    assert await settle(tmp_path / "boom.xml", _crashing) == tmp_path / "rejected" / "boom.xml"
    reason = (tmp_path / "rejected" / "boom.xml.reason.txt").read_text()
    assert reason.startswith("the import failed: RuntimeError: bug while reading boom.xml\n")
    assert "move the file back to retry" in reason
    assert (tmp_path / "rejected" / "bad.xml.reason.txt").read_text() == "line 2: bad\n"


async def test_settle_survives_a_file_that_vanished(tmp_path: Path) -> None:
    """A file gone before it could be moved is logged and skipped (None), not raised."""
    assert await settle(tmp_path / "gone.xml", _refusing) is None


async def test_the_watcher_goes_on_after_a_file_that_crashes(tmp_path: Path) -> None:
    """Three files, the second one crashes the importer: all three are settled, in order."""
    folder = DropFolder(tmp_path / "in", poll_seconds=0.01)
    for name in ("1-ok.xml", "2-crash.xml", "3-ok.xml"):
        (folder.folder / name).write_text(name)
    seen: list[str] = []
    stop = asyncio.Event()

    async def importer(file: Path) -> Sequence[str]:
        seen.append(file.name)
        if "crash" in file.name:
            raise ValueError("unexpected")
        return []

    async def handle(file: Path) -> None:
        await settle(file, importer)
        if not any(p.is_file() for p in folder.folder.iterdir()):
            stop.set()

    await asyncio.wait_for(folder.run(handle, stop), timeout=10)
    assert sorted(seen) == ["1-ok.xml", "2-crash.xml", "3-ok.xml"]
    assert sorted(p.name for p in (folder.folder / "done").iterdir()) == ["1-ok.xml", "3-ok.xml"]
    assert (folder.folder / "rejected" / "2-crash.xml.reason.txt").exists()


def test_ready_skips_a_file_deleted_while_listing(tmp_path: Path) -> None:
    """A file deleted between two polls is no longer ready, and no error is raised."""
    folder = DropFolder(tmp_path)
    file = tmp_path / "a.csv"
    file.write_text("x")
    assert folder.ready() == []
    file.unlink()
    assert folder.ready() == []


def test_the_limits_name_before_the_rename_is_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment that sets KCR_BRIDGE_MAX_BODY_BYTES keeps its limit; the new name wins."""
    monkeypatch.setenv("KCR_BRIDGE_MAX_BODY_BYTES", "4096")
    assert Settings().max_import_bytes == 4096
    monkeypatch.setenv("KCR_MAX_IMPORT_BYTES", "2048")
    assert Settings().max_import_bytes == 2048
