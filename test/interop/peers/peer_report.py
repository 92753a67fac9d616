"""JSON-lines reporting shared by the Python interop peers.

Every line a peer prints on stdout for the harness is one JSON object with at
least ``peer`` and ``ev``; logs go to stderr so stdout stays machine-readable.
"""

import json
import os
import sys
import time

PEER = os.environ.get("INTEROP_PEER_NAME", "python")


def report(ev: str, **fields) -> None:
    line = {"peer": PEER, "ev": ev, "t": round(time.time(), 3)}
    line.update(fields)
    sys.stdout.write(json.dumps(line, default=repr, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def parse_port(default: int = 8080) -> int:
    """Port from argv[1], else $PEER_PORT, else ``default``."""
    if len(sys.argv) > 1 and sys.argv[1].isdigit():
        return int(sys.argv[1])
    env = os.environ.get("PEER_PORT", "")
    return int(env) if env.isdigit() else default


def access_token():
    token = os.environ.get("ONEBOT_ACCESS_TOKEN", "")
    return token or None


def api_timeout() -> float:
    """Seconds the peer waits for an API answer (bounded for the tests)."""
    try:
        return float(os.environ.get("PEER_API_TIMEOUT", "10"))
    except ValueError:
        return 10.0
