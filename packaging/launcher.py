"""The bundle's entry point (PyInstaller freezes this file): the same `asset-studio` as pip installs."""

import sys

from studio.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
