"""Typed errors. Every refusal names the parameter, the value and the rule it broke."""

from __future__ import annotations


class StudioError(Exception):
    """Base of everything Asset Studio raises on purpose."""


class RefusedError(StudioError):
    """Refused before any request was sent: bad input of some kind (CLI exit status 2)."""


class TransparencyRefused(RefusedError):
    """A transparent background on a route that answers it with an error (the Responses tool for some
    image models): the Images API route takes it instead."""


class ValidationError(RefusedError):
    """A request parameter breaks a rule of the chosen model."""

    def __init__(self, param: str, value: object, rule: str, *, suggestion: str | None = None):
        self.param = param
        self.value = value
        self.rule = rule
        self.suggestion = suggestion
        text = f"{param} {value!s}: {rule}" if value is not None and value != "" else f"{param}: {rule}"
        if suggestion:
            text += f" ({suggestion})"
        super().__init__(text)


class ModelUnavailableError(ValidationError):
    """The model is retired, shut down or unknown."""

    def __init__(self, model: str, rule: str, *, suggestion: str | None = None):
        super().__init__("model", model, rule, suggestion=suggestion)


class ImageInputError(RefusedError):
    """An input image or mask file is missing, corrupt, too big or of the wrong kind."""

    def __init__(self, message: str, *, param: str = "image"):
        self.param = param
        super().__init__(message)


class RegistryError(StudioError):
    """The registry data in resources/ is missing or malformed (a packaging bug, not user input)."""
