"""Asset Studio: design, mask and export images with OpenAI's image API."""

__version__ = "0.1.0"
APP_NAME = "Asset Studio"
APP_ID = "io.github.assetstudio.AssetStudio"
