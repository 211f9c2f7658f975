"""Rules of the non-raster outputs, loaded from resources/models.toml: animated GIF sheets and SVG
authoring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # sizes imports the registry, which imports this module
    from .sizes import Size


@dataclass(frozen=True)
class GifGrid:
    frames_max: int
    columns: int
    rows: int


@dataclass(frozen=True)
class GifRules:
    """`size` is one frame; all frames are drawn on one sprite sheet, which is billed and must fit the
    limits."""

    frames_min: int
    frames_max: int
    frames_default: int
    duration_min_ms: int
    duration_step_ms: int
    duration_max_ms: int
    duration_default_ms: int
    frame_multiple: int
    sheet_max_edge: int
    sheet_max_pixels: int
    sheet_min_pixels: int
    grids: tuple[GifGrid, ...]
    grades: Mapping[str, str]

    def frames(self, requested: int | None) -> int:
        """How many frames a request makes: what it asks for, else the model's default."""
        return requested if requested is not None else self.frames_default

    def duration(self, requested: int | None) -> int:
        """A frame's duration in ms as asked (else the default), before the API rounds it."""
        return requested if requested is not None else self.duration_default_ms

    def grid(self, frames: int) -> GifGrid:
        for grid in self.grids:
            if frames <= grid.frames_max:
                return grid
        return self.grids[-1]

    def sheet(self, frames: int, frame: Size) -> Size:
        from .sizes import Size

        grid = self.grid(frames)
        return Size(frame.width * grid.columns, frame.height * grid.rows)

    def rounded_duration(self, ms: int) -> int:
        """The API rounds a frame's duration to the nearest step (half up)."""
        step = self.duration_step_ms
        return int((ms + step // 2) // step * step)

    def sheet_problem(self, frames: int, frame: Size) -> str | None:
        """Why `frames` frames of `frame` do not fit one sheet, or None."""
        m = self.frame_multiple
        if frame.width % m or frame.height % m:
            return f"GIF frame edges must be multiples of {m} (the frame is {frame})"
        grid, sheet = self.grid(frames), self.sheet(frames, frame)
        where = f"{frames} frames of {frame} make a {grid.columns}x{grid.rows} sheet of {sheet}"
        if max(sheet.width, sheet.height) > self.sheet_max_edge:
            return f"{where}; a sheet's edges must be at most {self.sheet_max_edge}"
        if sheet.pixels > self.sheet_max_pixels:
            return f"{where} ({sheet.pixels:,} pixels); a sheet may have at most {self.sheet_max_pixels:,}"
        if sheet.pixels < self.sheet_min_pixels:
            return f"{where} ({sheet.pixels:,} pixels); a sheet needs at least {self.sheet_min_pixels:,}"
        return None

    def largest_square_frame(self, frames: int) -> int:
        """The largest square frame that fits `frames` frames on a sheet (for hints)."""
        from .sizes import Size

        side = self.sheet_max_edge // self.frame_multiple * self.frame_multiple
        while side > self.frame_multiple and self.sheet_problem(frames, Size(side, side)) is not None:
            side -= self.frame_multiple
        return side


@dataclass(frozen=True)
class SvgRules:
    n_max: int
    efforts: tuple[str, ...]
    estimate_input_tokens: int
    estimate_output_tokens: int
    bound_input_tokens: int
    bound_output_tokens: int


@dataclass(frozen=True)
class AuthorPrices:
    """USD per 1M tokens of an SVG author (a text model); reasoning tokens are billed as output."""

    model: str
    input: Decimal
    cached_input: Decimal
    output: Decimal


def gif_rules(raw: Mapping[str, Any]) -> GifRules:
    ints = {
        k: int(raw[k])
        for k in (
            "frames_min",
            "frames_max",
            "frames_default",
            "duration_min_ms",
            "duration_step_ms",
            "duration_max_ms",
            "duration_default_ms",
            "frame_multiple",
            "sheet_max_edge",
            "sheet_max_pixels",
            "sheet_min_pixels",
        )
    }
    grids = tuple(GifGrid(int(g["frames_max"]), int(g["columns"]), int(g["rows"])) for g in raw["grids"])
    return GifRules(**ints, grids=grids, grades=dict(raw.get("grades", {})))


def svg_rules(raw: Mapping[str, Any]) -> SvgRules:
    return SvgRules(
        n_max=int(raw["n_max"]),
        efforts=tuple(raw["efforts"]),
        estimate_input_tokens=int(raw["estimate_input_tokens"]),
        estimate_output_tokens=int(raw["estimate_output_tokens"]),
        bound_input_tokens=int(raw["bound_input_tokens"]),
        bound_output_tokens=int(raw["bound_output_tokens"]),
    )


def author_prices(raw: Mapping[str, Mapping[str, Any]]) -> dict[str, AuthorPrices]:
    return {
        name: AuthorPrices(
            name, Decimal(str(p["input"])), Decimal(str(p["cached_input"])), Decimal(str(p["output"]))
        )
        for name, p in raw.items()
    }
