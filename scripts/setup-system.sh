#!/usr/bin/env bash
# Installs and starts what livepeer-relay needs from the operating system, only
# when it is missing, so it is safe to run every time (npm start and npm test do).
#   ffmpeg, ffprobe        segmenting, transcoding (livepeer-local), probing
#   redis-server           queue; started by npm start when no Redis answers
#   postgresql (tests)     the medium and integration tests run on PostgreSQL and SQLite
#   chromium (tests)       dashboard and player tests (never downloaded by npm)
#   docker-compose (tests) validates docker-compose.yml without a Docker engine
# Modes: (none) what npm start needs; --services Redis and PostgreSQL, installed
# and running (the medium tier); --for-tests everything (integration, e2e).
set -euo pipefail
mode="${1:-}"
media=true
services=false
extras=false
case "$mode" in
  "") ;;
  --services) media=false; services=true ;;
  --for-tests) services=true; extras=true ;;
  *) echo "setup: unknown option $mode (use --services or --for-tests)" >&2; exit 2 ;;
esac

need=()
$media && { command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg); }
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if $services; then
  command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
fi
if $extras; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian packages"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if $services; then
  # The tests use the machine's Redis and PostgreSQL; start them when they are installed but down.
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "setup: starting redis-server on 127.0.0.1:6379"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/livepeer-relay-redis.log"
  fi
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "setup: starting PostgreSQL"
    version=$(ls /etc/postgresql | sort -V | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  # Tests connect as postgres without a password to the database "test".
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
      runuser -u postgres -- psql -c 'CREATE DATABASE test' >/dev/null 2>&1 || true
      hba=$(runuser -u postgres -- psql -tAc 'SHOW hba_file' 2>/dev/null || true)
      if [ -n "$hba" ] && ! grep -q 'livepeer-relay tests' "$hba"; then
        sed -i '1i host all postgres 127.0.0.1/32 trust # livepeer-relay tests' "$hba"
        runuser -u postgres -- psql -c 'SELECT pg_reload_conf()' >/dev/null
      fi
    fi
  fi
fi
exit 0
