#!/usr/bin/env bash
# Make sure what the test suite starts is installed: the PostgreSQL server binaries and
# redis-server (run on loopback), Chromium (the browser tests), and docker-compose, which
# validates docker-compose.yml (no Docker engine needed). Installs them with apt when missing and allowed to.
set -euo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  missing+=(postgresql)
fi
command -v redis-server >/dev/null || missing+=(redis-server)
command -v docker-compose >/dev/null || missing+=(docker-compose)
# The browser tests drive Debian's Chromium (Playwright's own download cannot work here).
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)

if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "Please install: ${missing[*]} (the tests start the servers on 127.0.0.1; docker-compose checks the compose file)." >&2
  exit 1
fi
echo "Installing ${missing[*]} with apt-get ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged services; the tests run their own, so stop those.
for service in postgresql redis-server; do
  command -v service >/dev/null && service "$service" stop >/dev/null 2>&1 || true
done
