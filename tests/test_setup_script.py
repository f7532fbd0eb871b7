"""scripts/ensure-system-deps: what `make test` runs first on a fresh machine.

Run with PATH and $CHROMIUM pointed into an empty temp dir, so it finds nothing (and can't
reach apt-get): it must stop with one line naming the Debian packages to install.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "ensure-system-deps"
BASH = shutil.which("bash") or "/bin/bash"


def run(bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BASH, str(SCRIPT), *args],
        env={"PATH": str(bin_dir), "CHROMIUM": str(bin_dir / "chromium"), "HOME": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=30,
    )


def fake_executable(path: Path) -> None:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


@pytest.mark.parametrize("mode", [["--check"], []], ids=["check", "no-apt-get-on-path"])
def test_nothing_installed_names_both_packages_in_one_line(tmp_path, mode):
    result = run(tmp_path, *mode)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "chromium" in lines[0]
    assert "default-jre-headless" in lines[0]
    assert "apt-get install -y chromium default-jre-headless redis-server" in lines[0]


def test_only_java_missing_names_only_java(tmp_path):
    fake_executable(tmp_path / "chromium")
    fake_executable(tmp_path / "redis-server")
    result = run(tmp_path, "--check")
    assert result.returncode == 1
    assert "default-jre-headless" in result.stderr
    assert "chromium" not in result.stderr


def test_everything_present_is_silent_and_quick(tmp_path):
    fake_executable(tmp_path / "chromium")
    fake_executable(tmp_path / "java")
    fake_executable(tmp_path / "redis-server")
    result = run(tmp_path)  # not --check: with everything there it must not reach apt-get
    assert result.returncode == 0, result.stderr
    assert result.stdout == result.stderr == ""


def test_make_test_runs_it_before_anything_else():
    dry_run = subprocess.run(
        # --no-print-directory: under `make test` itself, make would add "Entering directory".
        ["make", "--no-print-directory", "-n", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    commands = [line for line in dry_run.stdout.splitlines() if line.strip()]
    assert commands[0].endswith("scripts/ensure-system-deps"), commands
    assert os.access(SCRIPT, os.X_OK)
