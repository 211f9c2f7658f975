"""Pure Python + Pillow: registry, requests, validation, pricing, images, errors. No Qt, no I/O to the
network."""
