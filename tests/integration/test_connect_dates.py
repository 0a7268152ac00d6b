"""``kcr connect cap|edxl|csv`` as subprocesses on the dates and sizes real feeds carry.

One real CLI run per format (the mapping itself is property-tested in
tests/unit/test_dates_everywhere.py): ``T24:00:00`` is published, a date that leaves the
representable range once in UTC and a file over ``KCR_MAX_IMPORT_BYTES`` are refused by name,
and no run ends in a traceback; the same files in a watched folder end in ``done/`` and
``rejected/`` while the watcher goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.integration.connect_support import ORGS, kcr, kcr_env, published_ids
from tests.integration.gateway_support import make_hub_topics, running_gateway, unique_prefix
from tests.unit.test_dates_everywhere import cap_alert, rm_message

LIMIT = 4096


def _files(folder: Path) -> tuple[Path, Path, Path]:
    """A CAP alert sent at 24:00, one sent at 0001-01-01T00:00:00+01:00, one over the limit."""
    folder.mkdir()
    midnight, early, big = folder / "a-midnight.xml", folder / "b-early.xml", folder / "c-big.xml"
    midnight.write_bytes(cap_alert("sent", "2026-11-27T24:00:00+01:00"))
    early.write_bytes(cap_alert("sent", "0001-01-01T00:00:00+01:00"))
    big.write_bytes(
        cap_alert("sent", "2026-11-27T10:00:00+01:00") + b"<!--" + b"x" * LIMIT + b"-->"
    )
    return midnight, early, big


async def test_edge_dates_and_sizes_through_the_cli(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """CAP, bare EDXL-RM and CSV: published or refused by name, never a traceback."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    env = kcr_env(kafka_bootstrap, registry_url, names.prefix) | {
        "KCR_MAX_IMPORT_BYTES": str(LIMIT)
    }
    midnight, early, big = _files(tmp_path / "cap")
    rm = tmp_path / "request.xml"
    rm.write_text(rm_message("SentDateTime", "2026-11-27T24:00:00Z"), encoding="utf-8")
    csv = tmp_path / "capacity.csv"
    csv.write_text(
        "resource_type,total,available,valid_until\n"
        "pump,5,3,2099-11-27T24:00:00\nbus,5,3,9999-12-31T23:59:59-01:00\n",
        encoding="utf-8",
    )
    async with running_gateway(kafka_bootstrap, names, registry_url):
        cap = await kcr(env, "connect", "cap", "--org", "vr19", str(midnight), str(early), str(big))
        edxl = await kcr(env, "connect", "edxl", "--org", "vr19", str(rm))
        rows = await kcr(env, "connect", "csv", "--org", "vr19", str(csv))
    for result in (cap, edxl, rows):
        assert "Traceback" not in result.stderr, result.stderr
    assert cap.returncode == 1
    assert len(published_ids(cap.stdout)) == 1
    assert f"{early}: refused: CAP alert 'kcr-dates-1' refused (time_invalid)" in cap.stderr
    assert f"{big}: refused: c-big.xml is " in cap.stderr
    assert f"over the import limit of {LIMIT} bytes" in cap.stderr
    assert (edxl.returncode, len(published_ids(edxl.stdout))) == (0, 1), edxl.stderr
    assert rows.returncode == 1
    assert len(published_ids(rows.stdout)) == 1
    assert "line 3: valid_until '9999-12-31T23:59:59-01:00' lies outside" in rows.stderr


async def test_the_watcher_settles_every_file_and_goes_on(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """The 24:00 alert goes to done/, the early and the oversized one to rejected/ with reasons."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    env = kcr_env(kafka_bootstrap, registry_url, names.prefix) | {
        "KCR_MAX_IMPORT_BYTES": str(LIMIT)
    }
    inbox = tmp_path / "inbox"
    _files(inbox)
    async with running_gateway(kafka_bootstrap, names, registry_url):
        result = await kcr(
            env, "connect", "cap", "--org", "vr19", "--watch", str(inbox), "--duration", "6"
        )
    assert "Traceback" not in result.stderr, result.stderr
    assert (inbox / "done" / "a-midnight.xml").is_file()
    early = (inbox / "rejected" / "b-early.xml.reason.txt").read_text(encoding="utf-8")
    big = (inbox / "rejected" / "c-big.xml.reason.txt").read_text(encoding="utf-8")
    assert "(time_invalid)" in early
    assert f"over the import limit of {LIMIT} bytes" in big
    assert not list(inbox.glob("*.xml"))
