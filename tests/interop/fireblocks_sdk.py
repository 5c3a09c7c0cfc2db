"""The official Fireblocks Python SDK (`fireblocks` on PyPI) against the
generated Fireblocks server, served by `serve_interop` on loopback.

    python fireblocks_sdk.py http://127.0.0.1:PORT PRIVATE_KEY.pem

The SDK signs every call its own way (RS256, `exp = iat + 55`, a UUID
nonce, the hash of an empty body); the server verifies it with the test
key's public half. Each step checks what the SDK got back and what the
implementation received (`GET /_interop/calls`). Prints one line per check
and `N passed, M failed`; exits non-zero on any failure.
"""

import json
import sys
import urllib.request
import uuid

import fireblocks
from fireblocks.client import Fireblocks
from fireblocks.client_configuration import ClientConfiguration

API_KEY = "interop-api-key"  # mfa_tests::stand_in::FIREBLOCKS_API_KEY
CALLER = {"scheme": "fireblocks", "subject": API_KEY}

passed = failed = 0


def check(what, got, expected):
    global passed, failed
    if got == expected:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}\n  expected: {expected!r}\n  got:      {got!r}")


def received(base):
    """What the implementation received since the last look."""
    with urllib.request.urlopen(f"{base}/_interop/calls") as response:
        return json.load(response)


def reset_device(sdk, user, **kwargs):
    """Call resetDevice as an SDK user would; the status, X-Request-ID and
    the SDK's error if it raised one."""
    try:
        response = sdk.reset_device.reset_device(user, **kwargs).result()
        return response.status_code, response.headers.get("x-request-id"), None
    except Exception as error:  # the SDK raises for any non-2xx answer
        return getattr(error, "status", None), None, f"{type(error).__name__}: {error}"


def main():
    base, key_file = sys.argv[1], sys.argv[2]
    print(f"# fireblocks (Python SDK) {fireblocks.__version__} against {base}/v1")
    with open(key_file) as f:
        secret_key = f.read()
    sdk = Fireblocks(
        ClientConfiguration(api_key=API_KEY, secret_key=secret_key, base_path=f"{base}/v1")
    )
    received(base)  # start from nothing

    status, request_id, error = reset_device(sdk, "console-user-1")
    check("resetDevice without an idempotency key: 200", (status, error), (200, None))
    check(
        "the implementation received the user, no key, the API key as caller",
        received(base),
        [
            {
                "operation": "resetDevice",
                "caller": CALLER,
                "input": {"id": "console-user-1", "idempotency_key": None},
            }
        ],
    )

    key = str(uuid.uuid4())
    first = reset_device(sdk, "console-user-2", idempotency_key=key)
    second = reset_device(sdk, "console-user-2", idempotency_key=key)
    check("resetDevice with an idempotency key: 200", (first[0], first[2]), (200, None))
    check("the same key again: 200", (second[0], second[2]), (200, None))
    check(
        "the second answer is the first replayed (same X-Request-ID)",
        second[1],
        first[1],
    )
    check(
        "the implementation ran once, with the key",
        received(base),
        [
            {
                "operation": "resetDevice",
                "caller": CALLER,
                "input": {"id": "console-user-2", "idempotency_key": key},
            }
        ],
    )

    status, _, error = reset_device(sdk, "console-user-3", idempotency_key=str(uuid.uuid4()))
    check("another key runs afresh: 200", (status, error), (200, None))
    check(
        "the implementation received it",
        [call["input"]["id"] for call in received(base)],
        ["console-user-3"],
    )

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
