from studio.core.redact import redact


def test_keys_and_bearer_tokens_are_redacted():
    key = "sk-proj-" + "A1b2C3d4" * 6
    text = redact(f"Incorrect API key provided: {key}. Authorization: Bearer {key}")
    assert key not in text and "A1b2C3d4" not in text
    assert redact("Incorrect API key provided: sk-****abcd.") == "Incorrect API key provided: sk-…[redacted]"
    assert redact("nothing secret here") == "nothing secret here"


def test_arguments_that_look_like_tokens_are_redacted_but_names_and_paths_stay():
    from studio.core.redact import redact_arguments

    token = "AbCdEf0123456789abcdefXYZq"
    assert redact_arguments(f"unrecognized arguments: {token}") == "unrecognized arguments: [redacted]"
    assert redact_arguments(f"invalid choice: '{'0f' * 16}'") == "invalid choice: '[redacted]'"
    for kept in (
        "gpt-image-2.6-sunburst-2026-09-08",
        "/home/u/Shots/20261121-224501-a-fox-at-dusk-01.png",
        "size 1000x1000",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ):
        assert redact_arguments(kept) == kept


def test_a_key_typed_as_an_argument_is_never_echoed_by_the_command_line():
    from tests.test_cli import cli

    key = "AbCdEf0123456789abcdefXYZq"  # not sk- shaped: only its look gives it away
    for args in (
        ("generate", "--prompt", "x", key),
        ("key", "set", key),
        (key,),
        ("generate", "--prompt", "x", "--budget", key),
        ("generate", "--prompt", "x", "--n", key),
        ("quote", "--model", key),
        ("tier", key),
    ):
        r = cli(*args)
        assert r.returncode == 2 and key not in r.stdout + r.stderr and "[redacted]" in r.stderr, (
            args,
            r.stderr,
        )
    sk = "sk-proj-" + "Q" * 30
    r = cli("key", "status", sk)
    assert r.returncode == 2 and sk not in r.stderr
