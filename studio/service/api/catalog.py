"""The models the endpoint lists merged into this version's registry, and the ones the user opted in to."""

from __future__ import annotations

from typing import Any

from studio.core.pricing import Learned
from studio.core.registry import Registry, load_registry

from .. import model_list as ml
from ..calibration import learned_output
from ..db import Database
from ..endpoint import Endpoint
from ..model_list import ModelList

__all__ = ["ModelCatalog", "ModelList"]


class ModelCatalog:
    def __init__(self, db: Database, images: Any = None):
        self._db, self._images = db, images  # images: the ImageService whose registry follows, if any

    async def listed(self, endpoint: Endpoint, *, refresh: bool = True, force: bool = False) -> ModelList:
        """The endpoint's list: from the cache when read within a day, else read now (off the loop)."""
        return await ml.model_list(self._db, endpoint, refresh=refresh, force=force)

    async def refresh(self, *, force: bool = False) -> ModelList:
        """Read the endpoint's list (or the cache) and merge it into the image service's registry."""
        return await ml.refresh_models(self._images, force=force)

    async def opted(self) -> list[str]:
        return await self._db.run(ml.opted_models)

    async def opt_in(self, model: str) -> None:
        await self._db.run(ml.opt_in, model)

    async def opt_out(self, model: str) -> None:
        await self._db.run(ml.opt_out, model)

    async def registry(self, listed: ModelList | None = None) -> Registry:
        """This version's registry with the listed models' dates and the opted-in models merged in."""
        opted = await self.opted()
        if listed is None and not opted:
            return load_registry()
        return ml.merged(load_registry(), listed or ModelList("", None), opted)

    async def learned(self, *, sandbox: bool = False) -> dict[Any, Learned]:
        """What the user's own bills taught the estimates."""
        return await self._db.run(learned_output, sandbox=sandbox)

    @staticmethod
    def unknown_listed(listed: ModelList, base: Registry | None = None) -> list[str]:
        """Models the endpoint lists that this version does not know."""
        return ml.unknown_listed(listed, base or load_registry())
