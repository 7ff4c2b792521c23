"""Providers ↔ Zoom users and online services (core.catalog) over in-memory SimplyBook and Zoom.

The config is real (a ConfigStore in tmp_path), so "nothing is written" means the file's bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser
from sbzoom.context import Context
from sbzoom.core import catalog
from sbzoom.core.catalog import ZoomDirectory
from sbzoom.errors import AuthError, ExitCode, MissingScopeError, NotFoundError, UsageError
from tests.conftest import Home, ScriptedPrompter


def provider(
    ident: int, name: str, email: str | None, qty: int = 1, services: tuple[int, ...] = ()
) -> Provider:
    return Provider(ident, name, email, qty, True, True, services)


def service(ident: int, name: str, providers: tuple[int, ...] = (), limit: int = 1) -> Service:
    return Service(ident, name, 60, providers, limit, True, True)


def zoom_user(ident: str, email: str, status: str = "active", licensed: bool = True) -> ZoomUser:
    return ZoomUser(ident, email, "First", "Last", 2 if licensed else 1, status)


ALICE = provider(1, "Alice Romero", "alice@example.com", qty=12, services=(3,))
BEN = provider(2, "Ben Okafor", "Ben.Okafor@Example.COM", services=(1, 2))
CHLOE = provider(3, "Chloe Park", "chloe@example.com", services=(1, 2))
DAN = provider(4, "Dan Whitfield", "dan@example.com", services=(1,))
ERIN = provider(5, "Erin Ode", None)
FRANK = provider(6, "Frank Stone", "frank@example.com")
GINA = provider(7, "Gina Lo", "gina@example.com")

INTRO = service(1, "Intro Consultation", (2, 3, 4))
NUTRITION = service(2, "Nutrition Coaching", (2, 3))
YOGA = service(3, "Group Yoga", (1,))  # limit 1, but Alice takes 12 per slot
WORKSHOP = service(5, "Workshop", limit=8)

OWNER = zoom_user("zOwner", "owner@example.com")
Z_ALICE = zoom_user("zAlice", "alice@example.com")
Z_BEN = zoom_user("zBen", "ben.okafor@example.com")
Z_CHLOE = zoom_user("zChloe", "chloe@example.com", licensed=False)
Z_FRANK = zoom_user("zFrank", "frank@example.com", status="inactive")
Z_GINA = zoom_user("", "gina@example.com", status="pending")
ACCOUNT = ZoomDirectory((OWNER, Z_ALICE, Z_BEN, Z_CHLOE, Z_FRANK, Z_GINA), all_users=True)
USER_LEVEL = ZoomDirectory((OWNER,), all_users=False, me=OWNER)


@dataclass
class FakeCatalog:
    providers: list[Provider] = field(
        default_factory=lambda: [ALICE, BEN, CHLOE, DAN, ERIN, FRANK, GINA]
    )
    services: list[Service] = field(default_factory=lambda: [INTRO, NUTRITION, YOGA, WORKSHOP])

    def list_providers(self) -> list[Provider]:
        return list(self.providers)

    def list_services(self) -> list[Service]:
        return list(self.services)


@dataclass
class FakeZoom:
    users: list[ZoomUser]
    me: ZoomUser = OWNER
    may_list: bool = True
    listed: list[str] = field(default_factory=list)

    def list_users(self, status: str = "active") -> list[ZoomUser]:
        self.listed.append(status)
        if not self.may_list:
            raise MissingScopeError(
                "The Zoom app lacks the scope user:read:list_users:admin (GET /users).",
                scopes=["user:read:list_users:admin"],
            )
        return [u for u in self.users if u.status == status]

    def get_user(self, user: str = "me") -> ZoomUser:
        assert user == "me"
        return self.me


@pytest.fixture
def context(home: Home) -> Context:
    home.config_path.parent.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text('[default.meeting]\ntopic = "{service} with {provider}"\n')
    return home.context()


def stored(context: Context, family: str) -> dict[str, str]:
    context.reload_profile()
    return context.profile.family(family)


# -- naming providers and services -----------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("2", BEN),  # an id
        ("Ben Okafor", BEN),  # the exact name
        ("  Ben Okafor ", BEN),  # surrounding blanks do not count
        ("ben okafor", BEN),  # the only name equal but for case
    ],
)
def test_a_provider_is_named_by_id_or_exact_name(ref: str, expected: Provider) -> None:
    assert catalog.resolve_one(ref, [ALICE, BEN, CHLOE], "provider") == expected


def test_an_id_wins_over_a_name_made_of_digits() -> None:
    digits = provider(9, "2", None)
    assert catalog.resolve_one("2", [BEN, digits], "provider") == BEN
    assert catalog.resolve_one("9", [BEN, digits], "provider") == digits


def test_an_exact_name_wins_over_one_that_differs_in_case() -> None:
    lower, upper = service(1, "yoga"), service(2, "Yoga")
    assert catalog.resolve_one("Yoga", [lower, upper], "service") == upper


def test_a_part_of_a_name_is_not_a_name() -> None:
    with pytest.raises(NotFoundError) as caught:
        catalog.resolve_one("Ben", [ALICE, BEN], "provider")
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.candidates == ["1 Alice Romero", "2 Ben Okafor"]


def test_a_shared_name_is_ambiguous_and_lists_only_the_namesakes() -> None:
    twin = provider(8, "Ben Okafor", "other@example.com")
    with pytest.raises(NotFoundError) as caught:
        catalog.resolve_one("Ben Okafor", [ALICE, BEN, twin], "provider")
    assert "matches 2 providers (ids 2, 8)" in caught.value.message
    assert caught.value.candidates == ["2 Ben Okafor", "8 Ben Okafor"]
    assert caught.value.hint is not None and "id" in caught.value.hint


def test_every_bad_name_is_reported_at_once() -> None:
    with pytest.raises(NotFoundError) as caught:
        catalog.resolve_all(["1", "Nope", "Yoga!"], [INTRO, NUTRITION], "service")
    assert "'Nope', 'Yoga!'" in caught.value.message


def test_a_long_list_offers_the_close_names_as_candidates() -> None:
    many = [service(i, f"Service number {i}") for i in range(1, 60)]
    many.append(service(99, "Pilates Reformer"))
    with pytest.raises(NotFoundError) as caught:
        catalog.resolve_one("Pilates Reformr", many, "service")
    assert caught.value.candidates == ["99 Pilates Reformer"]


def test_repeated_names_resolve_once() -> None:
    assert catalog.resolve_all(["1", "Intro Consultation"], [INTRO], "service") == [INTRO]


# -- naming Zoom users -------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["zBen", "ben.okafor@example.com", "BEN.OKAFOR@example.com"])
def test_a_zoom_user_is_named_by_id_or_email_in_any_case(ref: str) -> None:
    assert catalog.resolve_zoom_user(ACCOUNT, ref) == Z_BEN


def test_an_inactive_zoom_user_cannot_host() -> None:
    with pytest.raises(UsageError) as caught:
        catalog.resolve_zoom_user(ACCOUNT, "frank@example.com")
    assert "inactive" in caught.value.message and caught.value.exit_code == ExitCode.USAGE


def test_a_pending_zoom_user_has_no_id_and_cannot_host() -> None:
    with pytest.raises(UsageError) as caught:
        catalog.resolve_zoom_user(ACCOUNT, "gina@example.com")
    assert "pending" in caught.value.message and "no id" in caught.value.message


def test_an_unknown_zoom_user_lists_the_users_who_could_host() -> None:
    with pytest.raises(NotFoundError) as caught:
        catalog.resolve_zoom_user(ACCOUNT, "nobody@example.com")
    assert caught.value.candidates == [
        "owner@example.com (zOwner)",
        "alice@example.com (zAlice)",
        "ben.okafor@example.com (zBen)",
        "chloe@example.com (zChloe)",
    ]


def test_with_a_user_level_app_only_the_authorizing_user_can_be_named() -> None:
    assert catalog.resolve_zoom_user(USER_LEVEL, "me") == OWNER
    assert catalog.resolve_zoom_user(USER_LEVEL, "Owner@Example.com") == OWNER
    with pytest.raises(AuthError) as caught:
        catalog.resolve_zoom_user(USER_LEVEL, "ben.okafor@example.com")
    assert caught.value.exit_code == ExitCode.AUTH
    assert "user-level" in caught.value.message and "owner@example.com" in caught.value.message
    assert caught.value.hint is not None and "--s2s" in caught.value.hint


# -- what the sign-in can see ------------------------------------------------------------------


def test_an_account_level_sign_in_sees_every_user_with_their_status() -> None:
    zoom = FakeZoom([OWNER, Z_FRANK, Z_GINA])
    directory = catalog.load_directory(zoom, all_users=True)
    assert directory.all_users and directory.limitation() is None
    assert zoom.listed == ["active", "inactive", "pending"]
    assert [u.status for u in directory.users] == ["active", "inactive", "pending"]


def test_scopes_without_user_listing_mean_a_user_level_app() -> None:
    zoom = FakeZoom([OWNER, Z_BEN])
    directory = catalog.load_directory(zoom, all_users=False)
    assert zoom.listed == []  # no doomed request
    assert directory.users == (OWNER,) and directory.me == OWNER
    limitation = directory.limitation()
    assert limitation is not None and "only owner@example.com can host" in limitation


def test_unknown_scopes_are_found_out_by_trying() -> None:
    directory = catalog.load_directory(FakeZoom([OWNER], may_list=False), all_users=None)
    assert not directory.all_users and directory.me == OWNER


def test_a_missing_scope_is_an_error_when_the_grant_claims_it() -> None:
    with pytest.raises(MissingScopeError):
        catalog.load_directory(FakeZoom([OWNER], may_list=False), all_users=True)


# -- providers map / --auto / unmap ------------------------------------------------------------


def test_auto_maps_matching_emails_in_one_write_and_says_why_not_for_the_rest(
    context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    context.config.set("default", "providers.3", "zChloe")  # already mapped: left alone
    writes: list[dict[str, object]] = []
    update = context.config.update
    monkeypatch.setattr(
        context.config,
        "update",
        lambda name, changes: (writes.append(dict(changes)), update(name, changes)),
    )
    result = catalog.auto_map(context, catalog=FakeCatalog(), directory=ACCOUNT)
    assert [(m.provider.id, m.zoom_user.id) for m in result.mapped] == [(1, "zAlice"), (2, "zBen")]
    assert [(n.provider.id, n.reason) for n in result.not_mapped] == [
        (4, catalog.NO_ZOOM_USER),
        (5, catalog.NO_EMAIL),
        (6, catalog.INACTIVE),
        (7, catalog.PENDING),
    ]
    assert [(p.id, user) for p, user in result.already_mapped] == [(3, "zChloe")]
    assert writes == [{"providers.1": "zAlice", "providers.2": "zBen"}]
    assert stored(context, "providers") == {"1": "zAlice", "2": "zBen", "3": "zChloe"}
    data = result.to_json()
    assert data["all_users"] is True
    assert {n["reason"] for n in data["not_mapped"]} == {  # type: ignore[attr-defined]
        "no_zoom_user",
        "no_email",
        "inactive",
        "pending",
    }


def test_auto_with_nothing_to_map_writes_nothing(context: Context) -> None:
    before = context.config_path.read_bytes()
    result = catalog.auto_map(context, catalog=FakeCatalog([DAN, ERIN]), directory=ACCOUNT)
    assert result.mapped == () and len(result.not_mapped) == 2
    assert context.config_path.read_bytes() == before


def test_auto_with_a_user_level_app_maps_only_the_authorizing_user(context: Context) -> None:
    owner = provider(10, "Sam Owner", "OWNER@example.com")
    result = catalog.auto_map(context, catalog=FakeCatalog([owner, BEN]), directory=USER_LEVEL)
    assert [(m.provider.id, m.zoom_user.id) for m in result.mapped] == [(10, "zOwner")]
    assert [(n.provider.id, n.reason) for n in result.not_mapped] == [(2, catalog.USER_LEVEL)]
    assert result.limitation is not None and "user-level" in result.limitation


def test_map_by_name_and_email_and_again_changes_nothing(context: Context) -> None:
    first = catalog.map_provider(
        context, "Ben Okafor", "BEN.OKAFOR@example.com", catalog=FakeCatalog(), directory=ACCOUNT
    )
    assert (first.provider, first.zoom_user, first.previous, first.changed) == (
        BEN,
        Z_BEN,
        None,
        True,
    )
    before = context.config_path.read_bytes()
    again = catalog.map_provider(context, "2", "zBen", catalog=FakeCatalog(), directory=ACCOUNT)
    assert not again.changed and context.config_path.read_bytes() == before
    moved = catalog.map_provider(context, "2", "zOwner", catalog=FakeCatalog(), directory=ACCOUNT)
    assert moved.previous == "zBen" and stored(context, "providers") == {"2": "zOwner"}


def test_mapping_an_unlicensed_host_of_an_online_class_warns(context: Context) -> None:
    context.config.update("default", {"services.2": "class"})
    result = catalog.map_provider(context, "3", "zChloe", catalog=FakeCatalog(), directory=ACCOUNT)
    assert len(result.warnings) == 1 and "not licensed" in result.warnings[0]
    assert "Nutrition Coaching" in result.warnings[0]
    quiet = catalog.map_provider(context, "2", "zChloe", catalog=FakeCatalog(), directory=ACCOUNT)
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
    context: Context, provider_ref: str, zoom_ref: str, error: type[Exception]
) -> None:
    before = context.config_path.read_bytes()
    with pytest.raises(error):
        catalog.map_provider(
            context, provider_ref, zoom_ref, catalog=FakeCatalog(), directory=ACCOUNT
        )
    assert context.config_path.read_bytes() == before


def test_map_without_arguments_may_not_prompt_in_scripts(context: Context) -> None:
    with pytest.raises(UsageError) as caught:
        catalog.map_provider(context, None, None, catalog=FakeCatalog(), directory=ACCOUNT)
    assert caught.value.hint is not None and "--auto" in caught.value.hint
    with pytest.raises(UsageError) as caught:
        catalog.map_provider(context, "2", None, catalog=FakeCatalog(), directory=ACCOUNT)
    assert "ZOOM_USER" in caught.value.message


def test_map_without_arguments_offers_numbered_menus_when_interactive(home: Home) -> None:
    prompter = ScriptedPrompter(["2", "3"])
    context = home.context(interactive=True, prompter=prompter)
    result = catalog.map_provider(context, None, None, catalog=FakeCatalog(), directory=ACCOUNT)
    assert prompter.asked == ["Provider (1-7)", "Zoom user (1-4)"]
    # Zoom users who can host, by e-mail: alice, ben, chloe, owner.
    assert (result.provider, result.zoom_user) == (BEN, Z_CHLOE)
    providers_menu, users_menu = home.err.getvalue().split("Zoom users to host Ben Okafor:")
    assert "2) Ben Okafor <Ben.Okafor@Example.COM> (id 2)" in providers_menu
    assert "3) chloe@example.com" in users_menu
    assert "frank@" not in users_menu and "gina@" not in users_menu  # they cannot host


def test_a_number_outside_the_menu_changes_nothing(home: Home) -> None:
    context = home.context(interactive=True, prompter=ScriptedPrompter(["9"]))
    with pytest.raises(UsageError, match="not one of the numbers 1 to 7"):
        catalog.map_provider(context, None, None, catalog=FakeCatalog(), directory=ACCOUNT)
    assert not context.config_path.exists()


def test_unmap_removes_the_mapping_and_says_when_there_was_none(context: Context) -> None:
    context.config.update("default", {"providers.2": "zBen", "providers.42": "zGone"})
    result = catalog.unmap_provider(context, "Ben Okafor", catalog=FakeCatalog())
    assert (result.provider_id, result.name, result.previous) == (2, "Ben Okafor", "zBen")
    again = catalog.unmap_provider(context, "2", catalog=FakeCatalog())
    assert again.previous is None
    # A provider SimplyBook no longer has can still be unmapped by id.
    gone = catalog.unmap_provider(context, "42", catalog=FakeCatalog())
    assert (gone.name, gone.previous) == (None, "zGone")
    assert stored(context, "providers") == {}


# -- providers list ----------------------------------------------------------------------------


def test_the_provider_list_flags_mappings_that_cannot_work(context: Context) -> None:
    context.config.update(
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
    listing = catalog.list_providers(context, catalog=FakeCatalog(), directory=ACCOUNT)
    rows = {row.provider.id: row.to_json() for row in listing.rows}
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


def test_with_a_user_level_app_other_hosts_are_a_problem(context: Context) -> None:
    context.config.update("default", {"providers.1": "zOwner", "providers.2": "zBen"})
    listing = catalog.list_providers(context, catalog=FakeCatalog(), directory=USER_LEVEL)
    rows = {row.provider.id: row for row in listing.rows}
    assert rows[1].problem is None and rows[1].zoom_user == OWNER
    assert rows[2].problem is not None and "user-level" in rows[2].problem
    assert listing.limitation is not None


# -- services ----------------------------------------------------------------------------------


def test_services_are_offline_until_enabled_and_classes_say_why(context: Context) -> None:
    context.config.update("default", {"services.1": "online", "services.2": "class"})
    listing = catalog.list_services(context, catalog=FakeCatalog())
    rows = {row.service.id: row.to_json() for row in listing.rows}
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
    later = FakeCatalog(services=[INTRO, service(77, "New Thing")])
    new = {r.service.id: r for r in catalog.list_services(context, catalog=later).rows}
    assert new[77].online is False


def test_enable_online_by_name_and_id_stores_classes_by_capacity(context: Context) -> None:
    changes = catalog.enable_online(
        context, ["Intro Consultation", "3", "5"], catalog=FakeCatalog()
    )
    assert [(c.service_id, c.before, c.after) for c in changes] == [
        (1, None, "online"),
        (3, None, "class"),
        (5, None, "class"),
    ]
    assert "Alice Romero" in str(changes[1].class_reason)
    assert stored(context, "services") == {"1": "online", "3": "class", "5": "class"}


def test_enable_online_with_class_forces_it_and_without_turns_it_back(context: Context) -> None:
    forced = catalog.enable_online(context, ["2"], force_class=True, catalog=FakeCatalog())
    assert forced[0].after == "class" and forced[0].class_reason == "enabled with --class"
    back = catalog.enable_online(context, ["2"], catalog=FakeCatalog())
    assert (back[0].before, back[0].after) == ("class", "online")
    same = catalog.enable_online(context, ["2"], catalog=FakeCatalog())
    assert not same[0].changed


def test_one_bad_service_name_and_nothing_is_written(context: Context) -> None:
    catalog.enable_online(context, ["1"], catalog=FakeCatalog())
    before = context.config_path.read_bytes()
    for call in (
        lambda: catalog.enable_online(context, ["2", "Nope"], catalog=FakeCatalog()),
        lambda: catalog.disable_online(context, ["1", "Nope"], catalog=FakeCatalog()),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.exit_code == ExitCode.USAGE
        assert "2 Nutrition Coaching" in caught.value.candidates
        assert context.config_path.read_bytes() == before


def test_disable_online_also_clears_a_service_simplybook_dropped(context: Context) -> None:
    context.config.update("default", {"services.1": "online", "services.50": "class"})
    listing = catalog.list_services(context, catalog=FakeCatalog())
    assert listing.stale == (("50", "class"),)
    changes = catalog.disable_online(
        context, ["Intro Consultation", "50", "2"], catalog=FakeCatalog()
    )
    assert [(c.service_id, c.before, c.after, c.changed) for c in changes] == [
        (1, "online", None, True),
        (2, None, None, False),
        (50, "class", None, True),
    ]
    assert stored(context, "services") == {}
