"""From parsed arguments to a validated request (everything that can be refused before sending)."""

from __future__ import annotations

import argparse

from studio.core.edit_prep import prepare_edit
from studio.core.images import ImageFile, read_image_file
from studio.core.pricing import Learned
from studio.core.registry import Registry
from studio.core.request import EditRequest, ImageRequest
from studio.core.validation import Checked, validate

from .options import request_fields


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
