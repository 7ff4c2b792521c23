"""sbzoom doctor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sbzoom.cli._common import JSON_OPTION, factory_of

if TYPE_CHECKING:
    from sbzoom.core.doctor.facts import LiveFacts
    from sbzoom.factory import Factory


def doctor(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check config, sign-ins, scopes, mappings, local state and clock; name the fix for each."""
    from sbzoom import render
    from sbzoom.core.doctor.run import run_doctor
    from sbzoom.errors import ExitCode, OutcomeError
    from sbzoom.render.doctor import doctor_json, print_checks, summary_line

    factory = factory_of(ctx)
    report = run_doctor(live_facts(factory))
    if as_json:
        render.print_json(factory.context.stdout, doctor_json(report))
    else:
        print_checks(factory.context.stdout, report)
    factory.notifier.notice(summary_line(report))
    if not report.ok:
        raise OutcomeError(ExitCode.FAILURE, "a doctor check failed")


def live_facts(factory: Factory) -> LiveFacts:
    """The facts doctor reads, from this command's factory (each piece built when a check asks)."""
    from sbzoom.core.auth.simplybook.connection import identity, resolve_api_url
    from sbzoom.core.auth.zoom import connection as zoom_auth
    from sbzoom.core.bookings.link import daily_limit
    from sbzoom.core.doctor.facts import LiveFacts
    from sbzoom.core.online import online_services

    context = factory.context
    return LiveFacts(
        config_store=factory.config,
        config_path=context.config_path,
        profile_name=context.profile_name,
        load_profile=lambda: factory.profile,
        secret_store=lambda: factory.secrets,
        secret_backend_asked=context.env.get("SBZOOM_SECRET_BACKEND", ""),
        data_dir=context.data_dir,
        ledger_path=factory.ledger_path,
        clock=factory.clock,
        zoom_credentials=lambda: zoom_auth.credentials(factory.connection_inputs),
        zoom_connection=lambda: factory.zoom_connection,
        zoom_api_url=lambda: zoom_auth.api_url(factory.connection_inputs),
        simplybook_identity=lambda: identity(factory.connection_inputs),
        simplybook_client=lambda: factory.simplybook,
        simplybook_api_url=lambda: resolve_api_url(factory.connection_inputs),
        online_services=lambda: online_services(factory.profile, factory.simplybook),
        daily_limit=lambda: daily_limit(context.env),
        listen_port=context.env.get("SBZOOM_LISTEN_PORT") or "8780",
        http_transport=factory.http_transport,
        debug_log=factory.notifier.debug if context.debug else None,
    )
