"""The offline sandbox: an OpenAI-compatible image server on loopback. Imports studio.core only."""
