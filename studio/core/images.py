"""Input images as values: bytes plus what Pillow says they are. Nothing here touches the network."""

from __future__ import annotations

import io
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .errors import ImageInputError
from .names import safe_filename
from .sizes import Size

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}
_PIL_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp", "GIF": "gif", "MPO": "jpeg"}
# Refuse decompression bombs loudly instead of letting Pillow warn: 16k x 16k is far past any API limit.
MAX_DECODE_PIXELS = 16_384 * 16_384
# Files are read whole before they are checked; nothing larger is read (checked before reading).
MAX_READ_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ImageFile:
    """An image to upload: its bytes, a safe file name, its format and pixel size."""

    filename: str
    data: bytes
    format: str  # png | jpeg | webp | gif
    size: Size
    has_alpha: bool

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def as_upload(self) -> tuple[str, bytes, str]:
        """The (filename, bytes, content_type) tuple the SDK needs to send a real multipart part."""
        return (self.filename, self.data, self.content_type)


def inspect_image(data: bytes, filename: str = "image.png", *, role: str = "image") -> ImageFile:
    """Identify image bytes, or refuse them with a message naming the file and the problem."""
    label = f"{role} {filename!r}"
    if not data:
        raise ImageInputError(f"{label} is empty (0 bytes)", param=role)
    try:
        with Image.open(io.BytesIO(data)) as im:
            fmt = _PIL_FORMATS.get(im.format or "")
            width, height = im.size
            if width * height > MAX_DECODE_PIXELS:
                raise ImageInputError(
                    f"{label} is {width}x{height}: too many pixels to be an image the API accepts", param=role
                )
            bands = im.getbands()
            has_alpha = "A" in bands or "transparency" in im.info
            im.verify()
    except ImageInputError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageInputError(
            f"{label} is not a readable image ({type(exc).__name__}: {exc})", param=role
        ) from None
    if fmt is None:
        raise ImageInputError(
            f"{label} is a {(im.format or 'unknown')} image; the API takes PNG, JPEG or WebP", param=role
        )
    ext = {"jpeg": ".jpg"}.get(fmt, "." + fmt)
    name = safe_filename(filename, default=role)
    if not name.lower().endswith((ext, ".jpeg" if fmt == "jpeg" else ext)):
        name = Path(name).stem + ext
    return ImageFile(filename=name, data=data, format=fmt, size=Size(width, height), has_alpha=has_alpha)


def read_image_file(path: str | Path, *, role: str = "image") -> ImageFile:
    """Read and identify an image file; a missing or unreadable file is a specific refusal."""
    p = Path(path)
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(
            info.st_mode
        ):  # /dev/zero, a FIFO, a socket: never read (it could be endless or hang)
            raise ImageInputError(f"{role} {str(p)!r} is not a regular file", param=role)
        if info.st_size > MAX_READ_BYTES:
            raise ImageInputError(
                f"{role} file {str(p)!r} is {info.st_size:,} bytes: too large to be an image to send "
                f"(at most {MAX_READ_BYTES:,} are read, then re-encoded under the API's limit)",
                param=role,
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise ImageInputError(f"{role} file {str(p)!r} does not exist", param=role) from None
    except IsADirectoryError:
        raise ImageInputError(f"{role} {str(p)!r} is a directory, not an image file", param=role) from None
    except OSError as exc:
        raise ImageInputError(f"{role} file {str(p)!r} cannot be read: {exc.strerror}", param=role) from None
    return inspect_image(data, p.name, role=role)


def oriented_size(image: ImageFile) -> Size:
    """The size after EXIF orientation (what the API sees): orientations 5-8 swap width and height."""
    try:
        with Image.open(io.BytesIO(image.data)) as im:
            orientation = im.getexif().get(0x0112, 1)
    except (OSError, ValueError, SyntaxError):
        orientation = 1
    return Size(image.size.height, image.size.width) if orientation in (5, 6, 7, 8) else image.size


def has_transparent_pixels(image: ImageFile) -> bool:
    """True when at least one pixel is not fully opaque (a markup layer must leave the image visible)."""
    if not image.has_alpha:
        return False
    with Image.open(io.BytesIO(image.data)) as im:
        low = im.convert("RGBA").getchannel("A").getextrema()[0]  # one band: (min, max) as ints
    return isinstance(low, int) and low < 255


@lru_cache(maxsize=4)
def blank_markup(size: Size) -> ImageFile:
    """A fully transparent markup layer of this size with one faint mark (a markup must contain pixels):
    what a quote of a markup edit sends in place of the layer still being drawn (same size, same price)."""
    layer = Image.new("RGBA", (size.width, size.height), (0, 0, 0, 0))
    layer.putpixel((0, 0), (255, 0, 0, 1))
    buf = io.BytesIO()
    layer.save(buf, "PNG")
    return inspect_image(buf.getvalue(), "markup.png", role="markup")
