"""Shell completion: committed scripts match the live app, and bash really completes with them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sbzoom.cli.completion import SCRIPT_FILES, SHELLS, ShellName, script
from tests.conftest import Home

COMPLETIONS = Path(__file__).resolve().parents[4] / "completions"


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_script_matches_the_app(shell: ShellName) -> None:
    committed = COMPLETIONS / SCRIPT_FILES[shell]
    fresh = script(shell)
    assert committed.exists(), f"{committed} is missing: run scripts/gen-completions"
    assert committed.read_text(encoding="utf-8") == fresh, (
        f"{committed.name} is stale: run scripts/gen-completions"
    )


def test_generation_is_deterministic() -> None:
    assert script("bash") == script("bash")


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_command_prints_the_script(home: Home, shell: ShellName) -> None:
    result = home.run("completion", shell)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == script(shell)
    assert result.stderr == ""


def test_completion_rejects_an_unknown_shell(home: Home) -> None:
    assert home.run("completion", "tcsh").exit_code == 2


def bash_complete(*words: str) -> list[str]:
    """What bash offers for ``words`` (the last one is being typed), using the committed script."""
    program = (
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
        'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _sbzoom; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        [
            "bash",
            "--norc",
            "--noprofile",
            "-c",
            program,
            "bash",
            str(COMPLETIONS / SCRIPT_FILES["bash"]),
            *words,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert done.stderr == ""
    return sorted(line for line in done.stdout.splitlines() if line)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("sbzoom", "au"), ["audit", "auth"]),
        (("sbzoom", "auth", "login", ""), ["simplybook", "smtp", "zoom"]),
        (("sbzoom", "report", "meetings", "--format", ""), ["csv", "json", "table"]),
        (("sbzoom", "report", "meetings", "--format", "=", "j"), ["json"]),
        (("sbzoom", "report", "meetings", "--format=t"), ["--format=table"]),
        (("sbzoom", "--profile", "work", "auth", "logout", ""), ["simplybook", "zoom"]),
        (("sbzoom", "auth", "logout", "zoom", ""), []),
        (("sbzoom", "completion", ""), ["bash", "fish", "zsh"]),
        (("sbzoom", "report", "meetings", "--fo"), ["--format"]),
        (("sbzoom", "--ver"), ["--version"]),
        (("sbzoom", "services", "enable-online", "7", "--"), ["--class", "--help"]),
    ],
)
def test_bash_completes(words: tuple[str, ...], expected: list[str]) -> None:
    assert bash_complete(*words) == expected


def test_bash_completes_every_command_with_its_options() -> None:
    assert "zoom" in bash_complete("sbzoom", "")
    assert bash_complete("sbzoom", "bookings", "link", "--") == [
        "--cancel-orphans",
        "--dry-run",
        "--from",
        "--help",
        "--json",
        "--lock-timeout",
        "--to",
        "--wide",
    ]


def test_bash_completes_file_options_with_paths(tmp_path: Path) -> None:
    (tmp_path / "report.csv").write_text("")
    assert bash_complete("sbzoom", "report", "meetings", "--output", f"{tmp_path}/rep") == [
        f"{tmp_path}/report.csv"
    ]


def test_zsh_script_parses() -> None:
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed")
    path = COMPLETIONS / SCRIPT_FILES["zsh"]
    done = subprocess.run([zsh, "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def test_fish_script_parses() -> None:
    fish = shutil.which("fish")
    if fish is None:
        pytest.skip("fish is not installed")
    path = COMPLETIONS / SCRIPT_FILES["fish"]
    done = subprocess.run(
        [fish, "--no-execute", str(path)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr


def test_bash_script_parses() -> None:
    path = COMPLETIONS / SCRIPT_FILES["bash"]
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
