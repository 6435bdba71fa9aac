"""The JSONL audit file with several processes writing at once, and under logrotate: whole,
valid lines, none lost."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from llmrouter.datapolicy import AuditTrail, JsonlAuditFile
from llmrouter.datapolicy import audit_file as module

WRITER = """
import sys, time
from llmrouter.datapolicy import AuditTrail, CandidateFacts, Exclusion, JsonlAuditFile

path, who = sys.argv[1], sys.argv[2]
count, start_at, pause_s = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
facts = {f"m{i}": CandidateFacts(f"m{i}", f"p{i}", f"v{i}", "eu", False) for i in range(40)}
sink = JsonlAuditFile(path)
while time.time() < start_at:  # both writers start together
    time.sleep(0.001)
for n in range(count):
    trail = AuditTrail(facts, route="chat", tenant=who, request_id=f"{who}-{n}")
    for i in range(20):  # ~4 KB lines: larger than a pipe's atomic write, like busy records
        trail.exclude(Exclusion(f"m{i}", f"p{i}", "policy", "region", "region: " + "x" * 80))
    for i in range(20, 40):
        trail.leg("fallback" if i > 20 else "first", f"m{i}", "unavailable", status_code=503)
    assert sink.write(trail.finish(served_model="m39", cost_usd=0.001))
    if pause_s:
        time.sleep(pause_s)
sink.close()
"""


def writer(
    path: Path, who: str, count: int, start_at: float, pause_s: float = 0.0
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), who, str(count), str(start_at), str(pause_s)]
    )


def records(*paths: Path) -> list[dict[str, object]]:
    """Every line of `paths`, each parsed (a torn or interleaved line fails here)."""
    out = []
    for path in paths:
        data = path.read_bytes()
        assert b"\x00" not in data
        assert data.endswith(b"\n")
        out.extend(json.loads(line) for line in data.split(b"\n")[:-1])
    return out


def test_two_processes_writing_1000_records_give_1000_whole_valid_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    start_at = time.time() + 1.0
    procs = [writer(path, who, 500, start_at) for who in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    found = records(path)
    assert len(found) == 1000
    assert len({r["request_id"] for r in found}) == 1000
    assert Counter(r["tenant"] for r in found) == {"a": 500, "b": 500}
    assert all(len(r["legs"]) == 20 and len(r["excluded"]) == 20 for r in found)  # type: ignore[arg-type]
    assert min(len(line) for line in path.read_bytes().splitlines()) > 4096


def test_rotation_mid_run_loses_nothing(tmp_path: Path) -> None:
    """logrotate's default mode (`create`): rename the file and create a new one, twice,
    while two processes write."""
    path = tmp_path / "audit.jsonl"
    start_at = time.time() + 0.5
    procs = [writer(path, who, 300, start_at, pause_s=0.002) for who in ("a", "b")]
    rotated = []
    for n in (1, 2):
        deadline = time.time() + 30
        while not path.exists() or path.stat().st_size < 100_000 * n:
            assert time.time() < deadline, "the writers did not get going"
            time.sleep(0.01)
        target = tmp_path / f"audit.jsonl.{n}"
        os.rename(path, target)
        path.touch(mode=0o640)
        rotated.append(target)
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    found = records(path, *rotated)
    assert len(found) == 600
    assert Counter(r["tenant"] for r in found) == {"a": 300, "b": 300}
    assert all(records(p) for p in (path, *rotated))  # each file got some of them


def test_copytruncate_keeps_appending_whole_lines_at_the_new_end(tmp_path: Path) -> None:
    """logrotate's copytruncate: the file is truncated under the writers; O_APPEND writes
    land at its new end (no hole of NUL bytes, no torn line)."""
    path = tmp_path / "audit.jsonl"
    start_at = time.time() + 0.5
    proc = writer(path, "a", 300, start_at, pause_s=0.002)
    deadline = time.time() + 30
    while not path.exists() or path.stat().st_size < 200_000:
        assert time.time() < deadline
        time.sleep(0.01)
    with open(path, "r+b") as handle:
        handle.truncate(0)
    assert proc.wait(timeout=120) == 0
    found = records(path)
    assert 0 < len(found) < 300
    numbers = [int(str(r["request_id"]).split("-")[1]) for r in found]
    assert numbers == list(range(numbers[0], 300))  # everything after the truncation, in order


def test_each_record_is_one_write_of_a_whole_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mechanism behind whole lines: one `os.write` per record, on an O_APPEND file."""
    writes: list[bytes] = []
    real_write = os.write

    def counting(fd: int, data: bytes) -> int:
        writes.append(bytes(data))
        return real_write(fd, data)

    monkeypatch.setattr(module.os, "write", counting)
    sink = JsonlAuditFile(tmp_path / "audit.jsonl")
    for n in range(3):
        assert sink.write(AuditTrail({}, route="r", request_id=f"id-{n}").finish())
    assert sink._fd is not None
    assert fcntl.fcntl(sink._fd, fcntl.F_GETFL) & os.O_APPEND
    sink.close()
    assert len(writes) == 3
    assert all(w.endswith(b"\n") and w.count(b"\n") == 1 for w in writes)
