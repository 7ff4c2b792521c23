"""`sbzoom config` as a user runs it: round trips, bad values, broken files, profiles."""

from __future__ import annotations

import json
import os
import stat

from tests.conftest import Home


def test_set_then_get_round_trips(home: Home) -> None:
    assert home.run("config", "set", "simplybook.timezone", "Europe/Copenhagen").exit_code == 0
    result = home.run("config", "get", "simplybook.timezone")
    assert (result.exit_code, result.stdout.strip()) == (0, "Europe/Copenhagen")
    text = home.config_path.read_text()
    assert "[default.simplybook]" in text and 'timezone = "Europe/Copenhagen"' in text


def test_bad_value_is_rejected_and_nothing_is_written(home: Home) -> None:
    home.run("config", "set", "simplybook.timezone", "Europe/Copenhagen")
    before = home.config_path.read_bytes()
    result = home.run("config", "set", "simplybook.timezone", "Mars/Olympus")
    assert result.exit_code == 2
    assert "simplybook.timezone" in result.stderr and "IANA" in result.stderr
    assert "Traceback" not in result.stderr
    assert home.config_path.read_bytes() == before


def test_typed_values_are_parsed_and_checked(home: Home) -> None:
    assert home.run("config", "set", "zoom.max_rps", "5").exit_code == 0
    assert home.run("config", "set", "meeting.waiting_room", "no").exit_code == 0
    listed = json.loads(home.run("config", "list", "--json").stdout)
    assert listed["zoom.max_rps"] == 5.0 and listed["meeting.waiting_room"] is False
    bad = home.run("config", "set", "zoom.max_rps", "fast")
    assert bad.exit_code == 2 and "zoom.max_rps" in bad.stderr


def test_unknown_key_names_the_known_ones(home: Home) -> None:
    result = home.run("config", "set", "zoom.colour", "blue")
    assert result.exit_code == 2
    assert "zoom.colour" in result.stderr and "zoom.max_rps" in result.stderr


def test_corrupted_file_gives_exit_3_with_file_and_line(home: Home) -> None:
    home.config_path.parent.mkdir(parents=True)
    home.config_path.write_text('[default.simplybook]\ncompany = "acme"\ntimezone = \n')
    result = home.run("config", "get", "simplybook.company")
    assert result.exit_code == 3
    assert str(home.config_path) in result.stderr and "line 3" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_type_in_file_names_key_and_line(home: Home) -> None:
    home.config_path.parent.mkdir(parents=True)
    home.config_path.write_text('[default.zoom]\nmax_rps = "ten"\n')
    result = home.run("config", "list")
    assert result.exit_code == 3
    assert "zoom.max_rps" in result.stderr and "line 2" in result.stderr


def test_unknown_key_in_file_is_an_error(home: Home) -> None:
    home.config_path.parent.mkdir(parents=True)
    home.config_path.write_text('[default.zoom]\nclient_secret = "s3cr3t"\n')
    result = home.run("config", "list")
    assert result.exit_code == 3 and "zoom.client_secret" in result.stderr
    assert "s3cr3t" not in result.stderr


def test_unknown_profile_is_exit_3_naming_the_fix(home: Home) -> None:
    home.run("config", "set", "zoom.max_rps", "3")
    result = home.run("--profile", "staging", "config", "get", "zoom.max_rps")
    assert result.exit_code == 3
    assert "staging" in result.stderr and "default" in result.stderr


def test_profiles_are_separate(home: Home) -> None:
    home.run("config", "set", "zoom.max_rps", "3")
    home.run("--profile", "eu", "config", "set", "zoom.max_rps", "4")
    assert home.run("config", "get", "zoom.max_rps").stdout.strip() == "3.0"
    assert home.run("--profile", "eu", "config", "get", "zoom.max_rps").stdout.strip() == "4.0"


def test_unset_restores_default_and_path_prints_file(home: Home) -> None:
    home.run("config", "set", "write_back", "comment")
    home.run("config", "unset", "write_back")
    assert home.run("config", "get", "write_back").stdout.strip() == "none"
    assert home.run("config", "path").stdout.strip() == str(home.config_path)


def test_config_file_is_not_world_writable_and_no_temp_files_left(home: Home) -> None:
    home.run("config", "set", "simplybook.company", "acme")
    mode = stat.S_IMODE(os.stat(home.config_path).st_mode)
    assert mode & stat.S_IWOTH == 0
    leftovers = [p.name for p in home.config_path.parent.iterdir() if p.suffix == ".tmp"]
    assert leftovers == []
