"""How Debian's Chromium is started here, for the browser tests and `make screenshots`."""

from __future__ import annotations

# No sandbox as root, no GPU, and no calls home (this machine's network is closed, and
# Chromium's background connections would be refused many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
