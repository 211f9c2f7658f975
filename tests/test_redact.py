from studio.core.redact import redact


def test_keys_and_bearer_tokens_are_redacted():
    key = "sk-proj-" + "A1b2C3d4" * 6
    text = redact(f"Incorrect API key provided: {key}. Authorization: Bearer {key}")
    assert key not in text and "A1b2C3d4" not in text
    assert redact("Incorrect API key provided: sk-****abcd.") == "Incorrect API key provided: sk-…[redacted]"
    assert redact("nothing secret here") == "nothing secret here"
