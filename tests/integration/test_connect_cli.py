"""``kcr connect cap|edxl|have|csv`` as subprocesses, publishing through a real gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SHARED_FIXTURES
from tests.integration.connect_support import (
    ORGS,
    ids_in,
    kcr,
    kcr_env,
    log_topics,
    published_ids,
)
from tests.integration.gateway_support import (
    make_hub_topics,
    running_gateway,
    unique_prefix,
    wait_for_records,
)

CAP_FIXTURES = SHARED_FIXTURES / "cap"
HAVE_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "have" / "lcps-two-hospitals.xml"

CAPACITY = """resource_type,total,available,committed,valid_until,location,note
pump,24,16,4,2099-11-27T18:00:00+01:00,Brandweerkazerne Roosendaal,4 in onderhoud
sandbag,100,120,0,2099-11-27T18:00:00+01:00,,
bus,30,20,2,2099-11-28T06:00:00Z,Breda,
boat,6,four,0,2099-11-28T06:00:00Z,,
generator,10,8,0,2099-11-28T06:00:00Z,"Depot Etten-Leur, hal 2",
"""


async def test_every_shared_cap_fixture_is_imported_or_refused_with_its_reason(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """Each fixture is published or refused by name; what was published reaches the log."""
    if not CAP_FIXTURES.is_dir():
        pytest.skip(f"shared CAP fixtures missing: {CAP_FIXTURES} (see SHARED_FIXTURES)")
    files = sorted(str(p) for p in CAP_FIXTURES.glob("*.xml"))
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    env = kcr_env(kafka_bootstrap, registry_url, names.prefix)
    async with running_gateway(kafka_bootstrap, names, registry_url):
        strict = await kcr(env, "connect", "cap", "--org", "vr19", files[0])
        result = await kcr(
            env, "connect", "cap", "--org", "vr19", "--fallback-region", "vr19", *files
        )
        published = set(published_ids(result.stdout))
        await wait_for_records(kafka_bootstrap, log_topics(names), len(published))
        await asyncio.sleep(1)  # a duplicate would be in the log by now
        logged = await ids_in(kafka_bootstrap, log_topics(names))
    assert strict.returncode == 1
    assert "area_unmapped" in strict.stderr
    assert published_ids(strict.stdout) == []
    assert result.returncode == 1, result.stderr
    for file in files:
        lines = [
            line for line in (result.stdout + result.stderr).splitlines() if line.startswith(file)
        ]
        assert any(": published " in line or ": refused: " in line for line in lines), file
    assert f"{CAP_FIXTURES / 'samu_EDXL-DE.xml'}: refused: " in result.stderr
    assert "schema_invalid" in result.stderr
    assert "area_outside_nl" in result.stderr  # California geometry: no fallback applies
    assert len(published_ids(result.stdout)) == 3  # the alerts that name places only
    assert len(published) == 2  # driver_example_homeland_security repeats capt_example1
    assert sorted(logged) == sorted(published)


async def test_csv_with_two_bad_lines_publishes_the_good_rows_only(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """Lines 3 and 5 are reported by number; three capacity reports reach the log."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    env = kcr_env(kafka_bootstrap, registry_url, names.prefix)
    capacity = tmp_path / "capaciteit.csv"
    capacity.write_text(CAPACITY, encoding="utf-8")
    async with running_gateway(kafka_bootstrap, names, registry_url):
        result = await kcr(env, "connect", "csv", "--org", "vr20", str(capacity))
        published = published_ids(result.stdout)
        await wait_for_records(kafka_bootstrap, [names.log("capacity")], 3)
        logged = await ids_in(kafka_bootstrap, [names.log("capacity")])
    assert result.returncode == 1
    refused = [line for line in result.stderr.splitlines() if ": refused: " in line]
    assert [line.split(": refused: ")[1].split(":")[0] for line in refused] == ["line 3", "line 5"]
    assert "available 120 exceeds total 100" in refused[0]
    assert len(published) == 3
    assert logged == published


async def test_have_hospital_status_becomes_capacity_reports_in_the_log(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """``kcr connect have``: three bed-type reports reach the log; a CAP file is refused."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    env = kcr_env(kafka_bootstrap, registry_url, names.prefix)
    wrong = tmp_path / "alert.xml"
    wrong.write_text('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>', encoding="utf-8")
    async with running_gateway(kafka_bootstrap, names, registry_url):
        result = await kcr(env, "connect", "have", "--org", "vr17", str(HAVE_FIXTURE), str(wrong))
        published = published_ids(result.stdout)
        await wait_for_records(kafka_bootstrap, [names.log("capacity")], 3)
        logged = await ids_in(kafka_bootstrap, [names.log("capacity")])
    assert result.returncode == 1
    assert f"{wrong}: refused: EDXL-HAVE document refused (not_have)" in result.stderr
    assert "bed type 'RehabLongTermCare' is not counted" in result.stdout
    assert len(published) == 3
    assert sorted(logged) == sorted(published)


async def test_bad_input_on_every_path_is_refused_clearly_and_never_sent(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """Malformed CAP, a non-EDXL file, a CSV without header, an unknown org: nothing is sent."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    env = kcr_env(kafka_bootstrap, registry_url, names.prefix)
    broken = tmp_path / "broken.xml"
    broken.write_text("<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>", "utf-8")
    other = tmp_path / "other.xml"
    other.write_text("<report/>", "utf-8")
    headless = tmp_path / "headless.csv"
    headless.write_text("pump,3,2\n", "utf-8")
    results = [
        (await kcr(env, "connect", "cap", "--org", "vr19", str(broken)), "not well-formed XML"),
        (await kcr(env, "connect", "edxl", "--org", "vr19", str(other)), "not_edxl"),
        (await kcr(env, "connect", "csv", "--org", "vr20", str(headless)), "CSV header (line 1)"),
        (await kcr(env, "connect", "csv", "--org", "vr99", str(headless)), "Unknown organisation"),
        (
            await kcr(env, "connect", "cap", "--org", "vr19", str(tmp_path / "gone.xml")),
            "cannot read",
        ),
    ]
    for result, reason in results:
        assert result.returncode == 1, result.stderr
        assert reason in result.stderr, result.stderr
        assert published_ids(result.stdout) == []
    ingress = [names.ingress(org) for org in ORGS]
    assert await ids_in(kafka_bootstrap, ingress) == []


async def test_watched_folder_moves_files_to_done_and_rejected_with_reasons(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """A good list goes to done/, one with bad lines to rejected/ beside its reason file."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    env = kcr_env(kafka_bootstrap, registry_url, names.prefix)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.csv").write_text(CAPACITY.splitlines()[0] + "\n" + CAPACITY.splitlines()[1])
    (inbox / "mixed.csv").write_text(CAPACITY.replace("pump", "shelter_place"), encoding="utf-8")
    async with running_gateway(kafka_bootstrap, names, registry_url):
        result = await kcr(
            env, "connect", "csv", "--org", "vr20", "--watch", str(inbox), "--duration", "8"
        )
        await wait_for_records(kafka_bootstrap, [names.log("capacity")], 4)
        logged = await ids_in(kafka_bootstrap, [names.log("capacity")])
    assert result.returncode == 1, result.stderr
    assert (inbox / "done" / "good.csv").is_file()
    assert (inbox / "rejected" / "mixed.csv").is_file()
    reason = (inbox / "rejected" / "mixed.csv.reason.txt").read_text(encoding="utf-8")
    assert reason.startswith("line 3: available 120 exceeds total 100")
    assert "line 5:" in reason
    assert not list(inbox.glob("*.csv"))
    assert sorted(logged) == sorted(published_ids(result.stdout))
    assert len(logged) == 4
