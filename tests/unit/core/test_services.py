"""Which services are online (core.services) over an in-memory SimplyBook.

The config is real (a ConfigStore in tmp_path), so "nothing is written" means the file's bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from sbzoom.core import services
from sbzoom.errors import ExitCode, NotFoundError
from sbzoom.render.services import service_json
from sbzoom.store.config import ConfigStore
from tests.fakes import FakeCatalog
from tests.unit.core.studio import INTRO, service, studio_catalog


@pytest.fixture
def config(tmp_path: Path) -> ConfigStore:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[default.meeting]\ntopic = "{service} with {provider}"\n')
    return ConfigStore(path)


def stored(config: ConfigStore) -> dict[str, str]:
    return config.load("default").family("services")


def list_services(
    config: ConfigStore, catalog: FakeCatalog | None = None
) -> services.ServiceListing:
    return services.list_services(catalog or studio_catalog(), config.load("default"))


def enable(
    config: ConfigStore, refs: Sequence[str], force_class: bool = False
) -> tuple[services.ServiceChange, ...]:
    return services.enable_online(
        refs,
        force_class=force_class,
        catalog=studio_catalog(),
        profile=config.load("default"),
        config=config,
    )


def disable(config: ConfigStore, refs: Sequence[str]) -> tuple[services.ServiceChange, ...]:
    return services.disable_online(
        refs, catalog=studio_catalog(), profile=config.load("default"), config=config
    )


def test_services_are_offline_until_enabled_and_classes_say_why(config: ConfigStore) -> None:
    config.update("default", {"services.1": "online", "services.2": "class"})
    listing = list_services(config)
    rows = {row.service.id: service_json(row) for row in listing.rows}
    assert (rows[1]["online"], rows[1]["class"]) == (True, False)
    assert (rows[2]["online"], rows[2]["class"], rows[2]["class_source"]) == (True, True, "forced")
    assert (rows[3]["online"], rows[3]["class"], rows[3]["class_source"]) == (
        False,
        True,
        "capacity",
    )
    assert "Alice Romero takes 12" in str(rows[3]["class_reason"])
    assert "booking limit allows 8" in str(rows[5]["class_reason"])
    assert [key for key in rows[1]][:4] == ["id", "name", "online", "class"]
    # A service created later in SimplyBook has no key: it is offline.
    later = studio_catalog(services=(INTRO, service(77, "New Thing")))
    new = {r.service.id: r for r in list_services(config, later).rows}
    assert new[77].online is False


def test_enable_online_by_name_and_id_stores_classes_by_capacity(config: ConfigStore) -> None:
    changes = enable(config, ["Intro Consultation", "3", "5"])
    assert [(c.service_id, c.before, c.after) for c in changes] == [
        (1, None, "online"),
        (3, None, "class"),
        (5, None, "class"),
    ]
    assert "Alice Romero" in str(changes[1].class_reason)
    assert stored(config) == {"1": "online", "3": "class", "5": "class"}


def test_enable_online_with_class_forces_it_and_without_turns_it_back(
    config: ConfigStore,
) -> None:
    forced = enable(config, ["2"], force_class=True)
    assert forced[0].after == "class" and forced[0].class_reason == "enabled with --class"
    back = enable(config, ["2"])
    assert (back[0].before, back[0].after) == ("class", "online")
    same = enable(config, ["2"])
    assert not same[0].changed


def test_one_bad_service_name_and_nothing_is_written(config: ConfigStore) -> None:
    enable(config, ["1"])
    before = config.path.read_bytes()
    for call in (
        lambda: enable(config, ["2", "Nope"]),
        lambda: disable(config, ["1", "Nope"]),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.exit_code == ExitCode.USAGE
        assert "2 Nutrition Coaching" in caught.value.candidates
        assert config.path.read_bytes() == before


def test_disable_online_also_clears_a_service_simplybook_dropped(config: ConfigStore) -> None:
    config.update("default", {"services.1": "online", "services.50": "class"})
    listing = list_services(config)
    assert listing.stale == (("50", "class"),)
    changes = disable(config, ["Intro Consultation", "50", "2"])
    assert [(c.service_id, c.before, c.after, c.changed) for c in changes] == [
        (1, "online", None, True),
        (2, None, None, False),
        (50, "class", None, True),
    ]
    assert stored(config) == {}
