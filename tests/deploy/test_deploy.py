"""The deployment files in deploy/: parsed, checked for what the README promises, and every
sbzoom command they run checked against the real command line."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from sbzoom.cli.main import app

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SYSTEMD = DEPLOY / "systemd"


def accepted(args: list[str]) -> None:
    """The command line exists and parses: ``sbzoom ARGS --help`` exits 0."""
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, (args, result.output)


def sbzoom_args(command: str) -> list[str]:
    words = shlex.split(command.replace("%i", "default"))
    assert words[0].endswith("/sbzoom"), command
    return words[1:]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(SYSTEMD / name)
    return parser


def test_systemd_listener_runs_listen_and_stops_on_sigterm() -> None:
    service = unit("sbzoom-listen@.service")["Service"]
    accepted(sbzoom_args(service["ExecStart"]))
    assert sbzoom_args(service["ExecStart"])[-1] == "listen"
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    assert int(service["TimeoutStopSec"]) >= 25  # the worker's 20 s grace plus shutdown


def test_systemd_timer_starts_the_safety_net_every_15_minutes() -> None:
    link = unit("sbzoom-link@.service")["Service"]
    assert link["Type"] == "oneshot"
    accepted(sbzoom_args(link["ExecStart"]))
    assert sbzoom_args(link["ExecStart"])[-2:] == ["bookings", "link"]
    timer = unit("sbzoom-link@.timer")["Timer"]
    assert timer["OnCalendar"] == "*:0/15" and timer["Persistent"] == "true"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    sbzoom = shutil.which("sbzoom") or "/bin/true"
    for template in SYSTEMD.iterdir():
        instance = template.name.replace("@.", "@default.")
        text = template.read_text().replace("/usr/local/bin/sbzoom", sbzoom)
        (tmp_path / instance).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir())
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    problems = [
        line
        for line in done.stderr.splitlines()
        if str(tmp_path) in line and "Failed to" not in line  # no running systemd here
    ]
    assert problems == [], done.stderr


def containerfile() -> list[tuple[str, str]]:
    text = (DEPLOY / "container" / "Containerfile").read_text().replace("\\\n", " ")
    steps = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            steps.append((word.upper(), rest.strip()))
    return steps


def test_container_image_runs_the_listener_as_a_user_with_a_healthcheck() -> None:
    steps = containerfile()
    known = {"FROM", "RUN", "COPY", "WORKDIR", "USER", "ENV", "VOLUME", "EXPOSE", "HEALTHCHECK",
             "STOPSIGNAL", "ENTRYPOINT", "CMD"}  # fmt: skip
    assert {word for word, _ in steps} <= known and steps[0][0] == "FROM"
    found = dict(steps)
    entry, command = json.loads(found["ENTRYPOINT"]), json.loads(found["CMD"])  # exec form
    assert entry == ["sbzoom"]
    accepted(command)
    assert found["USER"] not in ("root", "0") and found["STOPSIGNAL"] == "SIGTERM"
    assert "/healthz" in found["HEALTHCHECK"] and "8780" in found["EXPOSE"]
    assert "SBZOOM_LISTEN_HOST=0.0.0.0" in found["ENV"]
    root = DEPLOY.parent
    for word, rest in steps:
        if word == "COPY":
            *sources, _ = rest.split()
            assert all((root / source).exists() for source in sources), rest


def manifests() -> dict[str, dict[str, Any]]:
    documents = list(yaml.safe_load_all((DEPLOY / "kubernetes" / "sbzoom.yaml").read_text()))
    return {doc["kind"]: doc for doc in documents if doc}


def test_kubernetes_listener_deployment_and_safety_net_cronjob() -> None:
    found = manifests()
    assert set(found) >= {"Deployment", "CronJob", "Service", "Secret", "ConfigMap",
                          "PersistentVolumeClaim"}  # fmt: skip
    deployment = found["Deployment"]["spec"]
    assert deployment["replicas"] == 1 and deployment["strategy"]["type"] == "Recreate"
    pod = deployment["template"]["spec"]
    (listener,) = pod["containers"]
    accepted(listener["args"])
    assert listener["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert listener["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert pod["terminationGracePeriodSeconds"] >= 25

    cron = found["CronJob"]["spec"]
    assert cron["concurrencyPolicy"] == "Forbid"
    job = cron["jobTemplate"]["spec"]["template"]["spec"]
    (link,) = job["containers"]
    accepted(link["args"])
    assert link["args"] == ["bookings", "link"] and link["image"] == listener["image"]
    # both use the same ledger volume, on the listener's node
    claims = {v["persistentVolumeClaim"]["claimName"] for spec in (pod, job)
              for v in spec["volumes"] if "persistentVolumeClaim" in v}  # fmt: skip
    assert claims == {found["PersistentVolumeClaim"]["metadata"]["name"]}
    affinity = job["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert affinity[0]["labelSelector"]["matchLabels"] == deployment["selector"]["matchLabels"]


def test_kubernetes_config_is_a_valid_sbzoom_config(tmp_path: Path) -> None:
    from sbzoom.store.config import ConfigStore

    text = manifests()["ConfigMap"]["data"]["config.toml"]
    (tmp_path / "config.toml").write_text(text)
    profile = ConfigStore(tmp_path / "config.toml").load("default")
    assert profile.text("listen.public_url") == "https://sbzoom.example.com"
    secret_keys = set(manifests()["Secret"]["stringData"])
    assert {"SBZOOM_CALLBACK_SECRET", "SBZOOM_ZOOM_WEBHOOK_SECRET"} <= secret_keys
    assert all(re.fullmatch(r"SBZOOM_[A-Z_]+", key) for key in secret_keys)
