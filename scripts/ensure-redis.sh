#!/usr/bin/env bash
# Makes sure a Redis server answers on 127.0.0.1:6379 (the rate-limit tests share counters
# through it, as a scaled-out desk does). Installs Debian's redis-server where it is absent.
set -euo pipefail
ping() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 \
          && [[ $reply == +PONG* ]]) 2>/dev/null; }
ping && exit 0
if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Redis from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi
mkdir -p /var/lib/redis /var/log/redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir /var/lib/redis --logfile /var/log/redis/idesk-tests.log
for _ in $(seq 1 20); do ping && exit 0; sleep 0.5; done
echo "Redis did not start" >&2
exit 1
