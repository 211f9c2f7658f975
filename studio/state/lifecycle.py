"""The session's view of the model lifecycle: the endpoint's /v1/models merged in on start and hourly
(the service reads the endpoint at most daily, off the GUI thread), and the SVG-author setting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

if TYPE_CHECKING:
    from .session import Session

CHECK_EVERY_MS = 60 * 60 * 1000  # the read itself happens at most daily; this only notices a new day


async def refresh_lifecycle(session: Session, *, force: bool = False) -> None:
    listed = await session.studio.models.refresh(force=force)
    if session.service.registry is not session.registry:
        session.registry = session.service.registry
        session.prompt.set_registry(session.registry)
    if listed.error and not session.sandbox:
        session.notice.emit(
            f"Could not read the endpoint's model list ({listed.error}); using this version's lifecycle data."
        )


def watch_lifecycle(session: Session) -> QTimer:
    """Refresh now, every hour and when the endpoint changes (a key was added). The embedded sandbox is
    built from this version's own data: reading its list would teach nothing, so it is not read."""

    def check() -> None:
        if not session.sandbox:
            session.tasks.start(refresh_lifecycle(session), "Reading the endpoint's model list")

    timer = QTimer(session)
    timer.setInterval(CHECK_EVERY_MS)
    timer.timeout.connect(check)
    timer.start()
    session.endpoint_changed.connect(check)
    check()
    return timer


async def set_svg_model_selection(session: Session, on: bool) -> None:
    """The user says whether their OpenAI project lets them choose the SVG author (offered only then)."""
    await session.preferences.update(svg_model_selection=on)
    session.prompt.svg_model_selection = on
    session.prompt.load({})


async def endpoint_models(session: Session) -> tuple[list[str], set[str]]:
    """Models the endpoint lists that this version does not know, and those the user opted in to."""
    models = session.studio.models
    listed = session.service.model_list or await models.listed(session.service.endpoint, refresh=False)
    opted = set(await models.opted())
    return models.unknown_listed(listed, session.service.base_registry), opted


async def set_opted_models(session: Session, wanted: set[str]) -> None:
    """Opt in to (or out of) models the endpoint lists but this version does not know; the picker follows."""
    unknown, opted = await endpoint_models(session)
    for model in set(unknown) | opted:
        if model in wanted and model not in opted:
            await session.studio.models.opt_in(model)
        elif model not in wanted and model in opted:
            await session.studio.models.opt_out(model)
    await refresh_lifecycle(session)
