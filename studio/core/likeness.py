"""How alike two pictures look, roughly: a hint after each generation of a board with a cast ("looks far
from 'Mara'"), never a promise — colour and layout say nothing of who a face is.

Two measures, both from Pillow: the intersection of colour histograms by hue (18 hue bins for coloured
pixels, one for dark and one for greys and whites, on a 64×64 thumbnail in HSV: robust to the light and
the blending a new scene brings, where an RGB histogram moves bins) and a difference hash (dHash: 9×8
greyscale, each pixel brighter than its right neighbour or not), compared by Hamming distance. imagehash
offers the same hashes, but it requires numpy, scipy and PyWavelets (56.8 MB of wheels, measured
2026-12-07), which the desktop bundle would carry for 30 lines of arithmetic."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

HUES = 18
THUMB = 64
DARK, GREY = 40, 40  # value below: dark; saturation below: grey or white (out of 255)
COLOUR_WEIGHT = 0.75  # colour carries a character's clothes and a style's palette; layout changes per shot
# At or above: "close to"; below: "looks far from". Measured 2026-12-07 on the sandbox's art (its
# references calls wear the references' colours), 6 panels each way per sheet: with one flat reference,
# panels sent with it scored 0.91-0.95 and panels sent without it 0.15-0.51 (the two above 0.40 happened to
# come out purple, like the reference); with two references (flat, or drawn: docs/screenshots/cast_shots.py)
# each entry scored 0.42-0.56 with the sheet (each fills part of the panel) and 0.13-0.40 without.
# Real pictures spread differently: it is a hint, and the score is shown with it.
NEAR = 0.40


@dataclass(frozen=True)
class Signature:
    histogram: tuple[float, ...]  # normalised: HUES hue bins, then dark, then grey
    dhash: int  # 64 bits


def signature(data: bytes) -> Signature:
    """The picture's signature (raises OSError / PIL errors for bytes that are not an image)."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (THUMB * 2, THUMB * 2))  # JPEG: decode at a fraction of the size
        rgb = im.convert("RGB")
    thumb = rgb.resize((THUMB, THUMB), Image.Resampling.BILINEAR)
    h, s, v = (band.tobytes() for band in thumb.convert("HSV").split())
    counts = [0] * (HUES + 2)
    for i in range(len(h)):
        counts[HUES if v[i] < DARK else HUES + 1 if s[i] < GREY else h[i] * HUES // 256] += 1
    total = float(THUMB * THUMB)
    grey = rgb.convert("L").resize((9, 8), Image.Resampling.BILINEAR).tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (grey[row * 9 + col] > grey[row * 9 + col + 1])
    return Signature(tuple(c / total for c in counts), bits)


def similarity(a: Signature, b: Signature) -> float:
    """0 (nothing alike) to 1 (the same colours in the same layout)."""
    colour = sum(min(x, y) for x, y in zip(a.histogram, b.histogram))
    layout = 1.0 - bin(a.dhash ^ b.dhash).count("1") / 64.0
    return COLOUR_WEIGHT * colour + (1 - COLOUR_WEIGHT) * layout


def hint(name: str, score: float) -> str:
    word = "close to" if score >= NEAR else "looks far from"
    return f"{word} {name!r} ({score:.2f})"


@dataclass(frozen=True)
class Check:
    """The continuity check of a generation: for each new picture, its score against each entry."""

    scores: tuple[dict[str, float], ...] = ()

    def lines(self) -> list[str]:
        """One line per picture: "image 2: close to 'Mara' (0.52), looks far from 'Shop' (0.31)"."""
        return [
            f"image {k}: " + ", ".join(hint(name, score) for name, score in found.items())
            for k, found in enumerate(self.scores, 1)
            if found
        ]

    def summary(self) -> str:
        """One line for them all: each entry, how many pictures look close to it, the median score."""
        names = list(dict.fromkeys(name for found in self.scores for name in found))
        parts = []
        for name in names:
            got = sorted(found[name] for found in self.scores if name in found)
            close = sum(score >= NEAR for score in got)
            median = got[len(got) // 2]
            if len(got) == 1:
                parts.append(hint(name, got[0]))
            else:
                parts.append(f"{close} of {len(got)} close to {name!r} (median {median:.2f})")
        return "; ".join(parts)
