"""The factory: everything a command needs, built once per command and only when first used.

Like gh's ``Factory`` or hatch's ``Application``: a command asks the factory for the Zoom client,
the SimplyBook client, the ledger or the profile's settings, and hands the use case only the narrow
things it needs (never the factory itself). What the factory builds is closed when the command
ends. It is the one place that knows how each dependency is made; the ``Context`` it wraps keeps
the IO streams, the environment and the global flags.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sbzoom.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from zoneinfo import ZoneInfo

    import httpx

    from sbzoom.clients.simplybook import SimplyBookClient
    from sbzoom.clients.zoom import ZoomClient
    from sbzoom.clock import Clock
    from sbzoom.context import Context
    from sbzoom.core.auth.common import ConnectionInputs, LoginTerminal
    from sbzoom.core.auth.zoom.connection import ZoomConnection
    from sbzoom.core.bookings.link import LinkServices
    from sbzoom.core.notify.run import NoticeSetup
    from sbzoom.core.ports import Chooser, Notifier, Prompter
    from sbzoom.store.config import ConfigStore, Profile
    from sbzoom.store.ledger import Ledger
    from sbzoom.store.secrets import SecretStore


class Factory:
    """Built once per command by the root command (tests build one with fakes and pass it as
    ``runner.invoke(app, args, obj=factory)``).

    The seams are the things a test replaces: ``clock``, ``prompter``, ``http_transport`` (an
    httpx transport; None means the network) and ``open_browser``.
    """

    def __init__(
        self,
        context: Context,
        *,
        clock: Clock | None = None,
        prompter: Prompter | None = None,
        http_transport: httpx.BaseTransport | None = None,
        open_browser: Callable[[str], bool] | None = None,
    ) -> None:
        from sbzoom.clock import SystemClock

        self.context = context
        self.clock: Clock = clock or SystemClock()
        self._prompter = prompter
        self.http_transport = http_transport
        self.open_browser = open_browser
        # Set by the commands that create a profile (auth login): a named profile that does
        # not exist yet is then not an error.
        self.allow_new_profile = False
        # The command being run, without "sbzoom" ("bookings link"): set by cli._common.factory_of.
        self.command = ""
        self._profile: Profile | None = None
        self._built: dict[str, Any] = {}

    def _once(self, key: str, build: Any) -> Any:
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    # -- the command's surroundings ---------------------------------------------------------

    @property
    def notifier(self) -> Notifier:
        from sbzoom.render.terminal import TerminalNotifier

        return self._once(  # type: ignore[no-any-return]
            "notifier",
            lambda: TerminalNotifier(self.context.stderr, debug=self.context.debug),
        )

    @property
    def prompter(self) -> Prompter:
        if self._prompter is None:
            from sbzoom.render.terminal import TerminalPrompter

            self._prompter = TerminalPrompter(self.context.interactive)
        return self._prompter

    @property
    def chooser(self) -> Chooser:
        from sbzoom.render.terminal import MenuChooser, TerminalNotifier

        notifier = self.notifier
        assert isinstance(notifier, TerminalNotifier)
        return MenuChooser(notifier, self.prompter)

    # -- settings and secrets ---------------------------------------------------------------

    @property
    def config(self) -> ConfigStore:
        from sbzoom.store.config import ConfigStore

        return self._once(  # type: ignore[no-any-return]
            "config", lambda: ConfigStore(self.context.config_path)
        )

    @property
    def profile(self) -> Profile:
        """The active profile's settings. A named profile that does not exist is an error."""
        if self._profile is None:
            name, config = self.context.profile_name, self.config
            profile = config.load(name)
            if not (profile.exists or name == "default" or self.allow_new_profile):
                known = ", ".join(config.profiles()) or "none yet"
                raise ConfigError(
                    f"There is no profile named '{name}' in {self.context.config_path} "
                    f"(profiles: {known}).",
                    f"Create it with 'sbzoom --profile {name} auth login ...' "
                    "or pick another with --profile.",
                )
            self._profile = profile
        return self._profile

    def reload_profile(self) -> None:
        """Read the profile again (after a command changed it)."""
        self._profile = None

    @property
    def secrets(self) -> SecretStore:
        from sbzoom.store.secrets import open_secret_store

        context = self.context
        return self._once(  # type: ignore[no-any-return]
            "secrets",
            lambda: open_secret_store(
                context.profile_name, context.data_dir, context.env, announce=self.notifier.notice
            ),
        )

    # -- the services and the ledger --------------------------------------------------------

    @property
    def connection_inputs(self) -> ConnectionInputs:
        """What the sign-ins of both services need (core/auth/): settings, secrets, clock, ..."""
        from sbzoom.core.auth.common import ConnectionInputs

        context = self.context
        return self._once(  # type: ignore[no-any-return]
            "connection_inputs",
            lambda: ConnectionInputs(
                profile_name=context.profile_name,
                env=context.env,
                config=self.config,
                data_dir=context.data_dir,
                clock=self.clock,
                notifier=self.notifier,
                load_profile=lambda: self.profile,
                open_secrets=lambda: self.secrets,
                reload_profile=self.reload_profile,
                http_transport=self.http_transport,
                debug=context.debug,
            ),
        )

    @property
    def login_terminal(self) -> LoginTerminal:
        """Where `auth login` reads piped secrets and asks its questions."""
        from sbzoom.core.auth.common import LoginTerminal

        context = self.context
        return LoginTerminal(
            prompter=self.prompter,
            stdin=context.stdin,
            no_input=context.no_input,
            attended=bool(
                context.interactive or context.stderr.is_terminal or self.open_browser is not None
            ),
            open_browser=self.open_browser,
        )

    @property
    def zoom_connection(self) -> ZoomConnection:
        """The profile's Zoom connection: credentials, tokens that stay fresh, the client."""
        from sbzoom.core.auth.zoom.connection import open_connection

        return self._once(  # type: ignore[no-any-return]
            "zoom_connection", lambda: open_connection(self.connection_inputs)
        )

    @property
    def zoom(self) -> ZoomClient:
        return self.zoom_connection.client

    @property
    def simplybook(self) -> SimplyBookClient:
        from sbzoom.core.auth.simplybook.connection import open_client

        return self._once(  # type: ignore[no-any-return]
            "simplybook",
            lambda: open_client(self.connection_inputs, lambda: self.company_timezone),
        )

    @property
    def company_timezone(self) -> ZoneInfo:
        """The SimplyBook company's zone (config, else company info; never guessed)."""
        from sbzoom.core.auth.simplybook.connection import resolve_timezone

        return self._once(  # type: ignore[no-any-return]
            "company_timezone", lambda: resolve_timezone(self.profile, lambda: self.simplybook)
        )

    @property
    def ledger_path(self) -> Path:
        """Where this profile's ledger is (or will be): reading commands check it exists."""
        from sbzoom.store.ledger import ledger_path

        return ledger_path(self.context.data_dir, self.context.profile_name)

    @property
    def ledger(self) -> Ledger:
        """The profile's ledger, opened once per command (created when it does not exist)."""
        from sbzoom.store.ledger import Ledger

        return self._once(  # type: ignore[no-any-return]
            "ledger", lambda: Ledger(self.ledger_path, actor=self.actor)
        )

    @property
    def actor(self) -> str:
        """Who changes things, as the audit log records it: ``bookings link · ann@cron-host``."""
        return actor_of(self.command)

    @property
    def notice_setup(self) -> NoticeSetup:
        """What e-mail notices need: the profile as it is now, the SMTP password's sources, the
        clock and the profile's send lock."""
        from sbzoom.core.notify.run import NoticeSetup

        context = self.context
        return NoticeSetup(
            profile=lambda: self.profile,
            profile_name=context.profile_name,
            env=context.env,
            secrets=lambda: self.secrets,
            clock=self.clock,
            lock_path=context.data_dir / "locks" / f"notify-{context.profile_name}.lock",
            debug_log=self.notifier.debug if context.debug else None,
        )

    def link_services(self) -> LinkServices:
        """What `bookings link` uses; clients and the ledger are built when the run asks."""
        from sbzoom.core.bookings.link import LinkServices, daily_limit
        from sbzoom.core.notify.run import LinkNotices

        context = self.context
        return LinkServices(
            profile=lambda: self.profile,
            profile_name=context.profile_name,
            data_dir=context.data_dir,
            clock=self.clock,
            simplybook=lambda: self.simplybook,
            zoom=lambda: self.zoom,
            ledger=lambda: self.ledger,
            notices=LinkNotices(self.notice_setup),
            stop=context.stop_requested,
            stop_signal=lambda: context.stop_signal,
            daily_limit=lambda: daily_limit(context.env),
        )

    def close(self) -> None:
        for value in self._built.values():
            close = getattr(value, "close", None)
            if callable(close):
                close()
        self._built.clear()


def actor_of(command: str) -> str:
    """``<command> · <OS user>@<host>``: which command ran, as whom and where (nothing secret).

    The host is its first name label (``cron-host``, not ``cron-host.example.com``); a user
    without a name (a container's bare uid) is ``uid<N>``.
    """
    import getpass
    import os
    import socket

    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry for the uid
        user = f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    host = socket.gethostname() or "unknown"
    if not host.replace(".", "").isdigit():  # an IPv4 address stays whole
        host = host.split(".")[0]
    where = f"{user}@{host}"
    return f"{command} · {where}" if command else where
