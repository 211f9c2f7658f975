"""From parsed arguments to a validated request (everything that can be refused before sending)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import TYPE_CHECKING

from studio.core.edit_prep import prepare_edit
from studio.core.images import ImageFile, read_image_file
from studio.core.pricing import Learned
from studio.core.registry import Registry
from studio.core.request import EditRequest, ImageRequest
from studio.core.validation import Checked, validate

from .options import request_fields

if TYPE_CHECKING:
    from studio.sandbox.server import EmbeddedSandbox
    from studio.service.endpoint import Endpoint


def checked_request(
    args: argparse.Namespace, registry: Registry, *, prompt_required: bool = True
) -> tuple[Checked, list[str]]:
    """The validated request and notices (resampled masks, re-encoded sources, lifecycle and size warnings).
    For edits, `source_image(args)` gives the first image as the user has it (the drift guard's master)."""
    notices: list[str] = []
    fields = request_fields(args)
    paths = getattr(args, "image", None) or []
    if paths:
        images: tuple[ImageFile, ...] = tuple(read_image_file(p, role="image") for p in paths)
        mask_file = read_image_file(args.mask, role="mask") if getattr(args, "mask", None) else None
        prepared = prepare_edit(images, None, registry.get(args.model), mask_file=mask_file)
        notices.extend(prepared.notices)
        if (
            fields.get("size", "auto") == "auto"
        ):  # never leave the size to the API: the source's own, or the nearest
            fields["size"] = prepared.size
        markup = read_image_file(args.markup, role="markup") if getattr(args, "markup", None) else None
        request: ImageRequest = EditRequest(
            prompt=args.prompt,
            images=prepared.images,
            mask=prepared.mask,
            markup=markup,
            input_fidelity=getattr(args, "input_fidelity", None),
            **fields,
        )
    else:
        for role in ("mask", "markup"):
            if getattr(args, role, None):
                from studio.core.errors import ImageInputError

                raise ImageInputError(
                    f"{role}: a {role} needs an image to edit (add --image FILE)", param=role
                )
        request = ImageRequest(prompt=args.prompt, **fields)
    checked = validate(request, registry, prompt_required=prompt_required)
    return checked, notices + list(checked.warnings)


def local_registry(*, learned: bool = False) -> tuple[Registry, dict[str, Learned]]:
    """The shipped registry plus the models the user opted in to (`asset-studio models --use ID`), and,
    with `learned`, what the user's own real bills taught the estimates; one opening of the library."""
    import asyncio

    from studio.service.api import Studio

    async def read() -> tuple[Registry, dict[str, Learned]]:
        studio, _ = await Studio.open_library(reconcile=False)
        try:
            return await studio.models.registry(), (await studio.models.learned() if learned else {})
        finally:
            await studio.close()

    return asyncio.run(read())


def source_image(args: argparse.Namespace) -> ImageFile:
    return read_image_file(args.image[0], role="image")


def budget_cap(text: str | None) -> Decimal | None:
    """--budget as a cap (None: none given). An empty one — a shell expanded `$5` to nothing — is refused
    with that reason rather than read as no cap."""
    from studio.core.errors import RefusedError
    from studio.service.api import parse_usd

    if text is not None and not text.strip():
        raise RefusedError("--budget is empty (in a shell, --budget $5 expands $5 to nothing: write 5)")
    return parse_usd(text)


def template_requests(
    args: argparse.Namespace, registry: Registry, *, prompt_required: bool = True
) -> tuple[list[ImageRequest], list[str]]:
    """The requests a prompt template makes ({a|b} choices, --rows CSV columns), each validated, and the
    first one's notices. A prompt that is no template makes one request."""
    from pathlib import Path

    from studio.core.variants import is_template
    from studio.service.api import variants_of

    rows = Path(args.rows) if getattr(args, "rows", None) else None
    if rows is None and not is_template(args.prompt):
        checked, notices = checked_request(args, registry, prompt_required=prompt_required)
        return [checked.request], notices
    variants = variants_of(args.prompt, rows)
    first = argparse.Namespace(**{**vars(args), "prompt": variants[0].prompt})
    checked, notices = checked_request(first, registry, prompt_required=prompt_required)
    requests = [checked.request.with_changes(prompt=v.prompt) for v in variants]
    for request in requests[1:]:
        validate(request, registry, prompt_required=prompt_required)
    return requests, notices


def open_endpoint(env_key: str | None) -> tuple[Endpoint, EmbeddedSandbox | None]:
    """The endpoint the call goes to and, with neither a key nor a base URL, the embedded offline
    sandbox started for it (stop it when done). RefusedError: a bad saved base URL."""
    from studio.service.api import read_library_settings
    from studio.service.endpoint import NO_KEY, Endpoint, resolve_endpoint

    from .output import warn

    settings = read_library_settings()  # the base URL chosen in the window applies here too
    for problem in settings.problems:
        warn(problem)
    endpoint = resolve_endpoint(env_key, saved_base_url=settings.base_url)
    if endpoint is not None:
        return endpoint, None
    from studio.sandbox.server import EmbeddedSandbox

    sandbox = EmbeddedSandbox().start()
    warn(
        "no API key (keyring or OPENAI_API_KEY) and no OPENAI_BASE_URL: using the offline sandbox "
        "(placeholder images, no charges)"
    )
    return Endpoint(sandbox.base_url, NO_KEY, is_sandbox=True), sandbox
