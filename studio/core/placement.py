"""Where a job's results go, as one small value planned before anything is sent (not positional
arguments): new panels at the end of a board, new panels right after one (a re-roll), a new version of a
panel (an edit), or the library only. The board, when there is one, also carries the job's cost and cap."""

from __future__ import annotations

from dataclasses import dataclass

END, AFTER, VERSION, LIBRARY = "end", "after", "version", "library"


@dataclass(frozen=True)
class Placement:
    where: str = LIBRARY
    board: str | None = None
    panel_id: int | None = (
        None  # AFTER: the panel the new ones follow; VERSION: the panel that gets a version
    )
    parent_version: int | None = None  # VERSION: the version the edit started from

    def __post_init__(self) -> None:
        if self.where not in (END, AFTER, VERSION, LIBRARY):
            raise ValueError(f"placement {self.where!r}")
        if self.where in (END, AFTER, VERSION) and not self.board:
            raise ValueError(f"placement {self.where!r} needs a board")
        if self.where in (AFTER, VERSION) and self.panel_id is None:
            raise ValueError(f"placement {self.where!r} needs a panel")

    @classmethod
    def end(cls, board: str) -> Placement:
        return cls(END, board)

    @classmethod
    def after(cls, board: str, panel_id: int) -> Placement:
        return cls(AFTER, board, panel_id)

    @classmethod
    def version(cls, board: str, panel_id: int, parent_version: int | None = None) -> Placement:
        return cls(VERSION, board, panel_id, parent_version)

    @classmethod
    def library(cls, board: str | None = None) -> Placement:
        """Saved in the library without panels (`board` still carries the cost, if given)."""
        return cls(LIBRARY, board)

    @property
    def makes_panels(self) -> bool:
        """Whether each result becomes a new panel (and so a placeholder tile while it is generated)."""
        return self.where in (END, AFTER)

    def to_json(self) -> dict[str, object]:
        return {
            "where": self.where,
            "board": self.board,
            "panel_id": self.panel_id,
            "parent_version": self.parent_version,
        }
