"""Providers ↔ Zoom users (core.providers) over in-memory SimplyBook and Zoom.

The config is real (a ConfigStore in tmp_path), so "nothing is written" means the file's bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sbzoom.core import providers
from sbzoom.core.ports import Chooser, SilentNotifier
from sbzoom.core.zoom_directory import ZoomDirectory
from sbzoom.errors import NotFoundError, UsageError
from sbzoom.render import make_console
from sbzoom.render.providers import auto_map_json, provider_json
from sbzoom.render.terminal import MenuChooser, TerminalNotifier
from sbzoom.store.config import ConfigStore
from tests.conftest import ScriptedPrompter
from tests.fakes import FakeCatalog
from tests.unit.core.studio import (
    ACCOUNT,
    BEN,
    DAN,
    ERIN,
    OWNER,
    USER_LEVEL,
    Z_BEN,
    Z_CHLOE,
    provider,
    studio_catalog,
)


@pytest.fixture
def config(tmp_path: Path) -> ConfigStore:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[default.meeting]\ntopic = "{service} with {provider}"\n')
    return ConfigStore(path)


def stored(config: ConfigStore, family: str) -> dict[str, str]:
    return config.load("default").family(family)


def map_provider(
    config: ConfigStore,
    provider_ref: str | None,
    zoom_ref: str | None,
    *,
    chooser: Chooser | None = None,
    notifier: TerminalNotifier | None = None,
) -> providers.MapResult:
    return providers.map_provider(
        provider_ref,
        zoom_ref,
        catalog=studio_catalog(),
        directory=lambda: ACCOUNT,
        profile=config.load("default"),
        config=config,
        chooser=chooser,
        notifier=notifier or SilentNotifier(),
    )


def auto_map(
    config: ConfigStore, catalog: FakeCatalog, directory: ZoomDirectory = ACCOUNT
) -> providers.AutoMapResult:
    return providers.auto_map(
        catalog=catalog, directory=lambda: directory, profile=config.load("default"), config=config
    )


def unmap(config: ConfigStore, ref: str) -> providers.UnmapResult:
    return providers.unmap_provider(
        ref, profile=config.load("default"), catalog=studio_catalog(), config=config
    )


def list_providers(
    config: ConfigStore, directory: ZoomDirectory = ACCOUNT
) -> providers.ProviderListing:
    return providers.list_providers(studio_catalog(), lambda: directory, config.load("default"))


def menus(answers: list[str]) -> tuple[MenuChooser, ScriptedPrompter, io.StringIO]:
    """Numbered menus on a captured stderr, answered from ``answers``."""
    err = io.StringIO()
    prompter = ScriptedPrompter(answers)
    return MenuChooser(TerminalNotifier(make_console(err)), prompter), prompter, err


# -- providers map / --auto / unmap ------------------------------------------------------------


def test_auto_maps_matching_emails_in_one_write_and_says_why_not_for_the_rest(
    config: ConfigStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.set("default", "providers.3", "zChloe")  # already mapped: left alone
    writes: list[dict[str, object]] = []
    update = config.update
    monkeypatch.setattr(
        config,
        "update",
        lambda name, changes: (writes.append(dict(changes)), update(name, changes)),
    )
    result = auto_map(config, studio_catalog())
    assert [(m.provider.id, m.zoom_user.id) for m in result.mapped] == [(1, "zAlice"), (2, "zBen")]
    assert [(n.provider.id, n.reason) for n in result.not_mapped] == [
        (4, providers.NO_ZOOM_USER),
        (5, providers.NO_EMAIL),
        (6, providers.INACTIVE),
        (7, providers.PENDING),
    ]
    assert [(p.id, user) for p, user in result.already_mapped] == [(3, "zChloe")]
    assert writes == [{"providers.1": "zAlice", "providers.2": "zBen"}]
    assert stored(config, "providers") == {"1": "zAlice", "2": "zBen", "3": "zChloe"}
    data = auto_map_json(result)
    assert data["all_users"] is True
    assert {n["reason"] for n in data["not_mapped"]} == {  # type: ignore[attr-defined]
        "no_zoom_user",
        "no_email",
        "inactive",
        "pending",
    }


def test_auto_with_nothing_to_map_writes_nothing(config: ConfigStore) -> None:
    before = config.path.read_bytes()
    result = auto_map(config, studio_catalog((DAN, ERIN)))
    assert result.mapped == () and len(result.not_mapped) == 2
    assert config.path.read_bytes() == before


def test_auto_with_a_user_level_app_maps_only_the_authorizing_user(config: ConfigStore) -> None:
    owner = provider(10, "Sam Owner", "OWNER@example.com")
    result = auto_map(config, studio_catalog((owner, BEN)), USER_LEVEL)
    assert [(m.provider.id, m.zoom_user.id) for m in result.mapped] == [(10, "zOwner")]
    assert [(n.provider.id, n.reason) for n in result.not_mapped] == [(2, providers.USER_LEVEL)]
    assert result.limitation is not None and "user-level" in result.limitation


def test_map_by_name_and_email_and_again_changes_nothing(config: ConfigStore) -> None:
    first = map_provider(config, "Ben Okafor", "BEN.OKAFOR@example.com")
    assert (first.provider, first.zoom_user, first.previous, first.changed) == (
        BEN,
        Z_BEN,
        None,
        True,
    )
    before = config.path.read_bytes()
    again = map_provider(config, "2", "zBen")
    assert not again.changed and config.path.read_bytes() == before
    moved = map_provider(config, "2", "zOwner")
    assert moved.previous == "zBen" and stored(config, "providers") == {"2": "zOwner"}


def test_mapping_an_unlicensed_host_of_an_online_class_warns(config: ConfigStore) -> None:
    config.update("default", {"services.2": "class"})
    result = map_provider(config, "3", "zChloe")
    assert len(result.warnings) == 1 and "not licensed" in result.warnings[0]
    assert "Nutrition Coaching" in result.warnings[0]
    quiet = map_provider(config, "2", "zChloe")
    assert "Nutrition Coaching" in quiet.warnings[0]  # Ben offers the class too


@pytest.mark.parametrize(
    ("provider_ref", "zoom_ref", "error"),
    [
        ("Nobody", "zBen", NotFoundError),
        ("Ben Okafor", "nobody@example.com", NotFoundError),
        ("Ben Okafor", "frank@example.com", UsageError),
        ("Ben Okafor", "gina@example.com", UsageError),
    ],
)
def test_a_failed_map_leaves_the_config_byte_identical(
    config: ConfigStore, provider_ref: str, zoom_ref: str, error: type[Exception]
) -> None:
    before = config.path.read_bytes()
    with pytest.raises(error):
        map_provider(config, provider_ref, zoom_ref)
    assert config.path.read_bytes() == before


def test_map_without_arguments_may_not_prompt_in_scripts(config: ConfigStore) -> None:
    with pytest.raises(UsageError) as caught:
        map_provider(config, None, None)
    assert caught.value.hint is not None and "--auto" in caught.value.hint
    with pytest.raises(UsageError) as caught:
        map_provider(config, "2", None)
    assert "ZOOM_USER" in caught.value.message


def test_map_without_arguments_offers_numbered_menus_when_interactive(
    config: ConfigStore,
) -> None:
    chooser, prompter, err = menus(["2", "3"])
    result = map_provider(config, None, None, chooser=chooser)
    assert prompter.asked == ["Provider (1-7)", "Zoom user (1-4)"]
    # Zoom users who can host, by e-mail: alice, ben, chloe, owner.
    assert (result.provider, result.zoom_user) == (BEN, Z_CHLOE)
    providers_menu, users_menu = err.getvalue().split("Zoom users to host Ben Okafor:")
    assert "2) Ben Okafor <Ben.Okafor@Example.COM> (id 2)" in providers_menu
    assert "3) chloe@example.com" in users_menu
    assert "frank@" not in users_menu and "gina@" not in users_menu  # they cannot host


def test_a_number_outside_the_menu_changes_nothing(tmp_path: Path) -> None:
    config = ConfigStore(tmp_path / "config.toml")
    chooser, _, _ = menus(["9"])
    with pytest.raises(UsageError, match="not one of the numbers 1 to 7"):
        map_provider(config, None, None, chooser=chooser)
    assert not config.path.exists()


def test_unmap_removes_the_mapping_and_says_when_there_was_none(config: ConfigStore) -> None:
    config.update("default", {"providers.2": "zBen", "providers.42": "zGone"})
    result = unmap(config, "Ben Okafor")
    assert (result.provider_id, result.name, result.previous) == (2, "Ben Okafor", "zBen")
    again = unmap(config, "2")
    assert again.previous is None
    # A provider SimplyBook no longer has can still be unmapped by id.
    gone = unmap(config, "42")
    assert (gone.name, gone.previous) == (None, "zGone")
    assert stored(config, "providers") == {}


# -- providers list ----------------------------------------------------------------------------


def test_the_provider_list_flags_mappings_that_cannot_work(config: ConfigStore) -> None:
    config.update(
        "default",
        {
            "providers.1": "zAlice",
            "providers.2": "zGone",
            "providers.3": "zChloe",
            "providers.6": "zFrank",
            "providers.99": "zBen",
            "services.3": "online",  # Alice's qty makes it a class anyway
            "services.2": "class",
            "services.1": "online",
        },
    )
    listing = list_providers(config)
    rows = {row.provider.id: provider_json(row) for row in listing.rows}
    assert set(rows[1]) >= {
        "id", "name", "email", "zoom_user_id", "zoom_email", "licensed", "problem"
    }  # fmt: skip
    assert rows[1]["zoom_email"] == "alice@example.com" and rows[1]["licensed"] is True
    assert rows[1]["problem"] is None and rows[1]["warning"] is None
    assert "no longer exists" in str(rows[2]["problem"]) and rows[2]["zoom_email"] is None
    assert rows[3]["problem"] is None and "not licensed" in str(rows[3]["warning"])
    assert rows[3]["licensed"] is False
    assert "inactive" in str(rows[6]["problem"])
    assert rows[4]["zoom_user_id"] is None and "Intro Consultation" in str(rows[4]["warning"])
    assert rows[5]["warning"] is None  # offers nothing online
    assert listing.stale == (("99", "zBen"),)
    assert listing.limitation is None


def test_with_a_user_level_app_other_hosts_are_a_problem(config: ConfigStore) -> None:
    config.update("default", {"providers.1": "zOwner", "providers.2": "zBen"})
    listing = list_providers(config, USER_LEVEL)
    rows = {row.provider.id: row for row in listing.rows}
    assert rows[1].problem is None and rows[1].zoom_user == OWNER
    assert rows[2].problem is not None and "user-level" in rows[2].problem
    assert listing.limitation is not None
