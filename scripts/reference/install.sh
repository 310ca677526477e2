#!/usr/bin/env bash
# Installs the real Glance tool the reference tests run against (Debian 12, as root):
# python3-glance (Zed 25.1.0) with the PostgreSQL and MySQL drivers, and Glance's
# metadata definition files, unpacked from Debian's glance-common package into
# .cache/reference/glance-common (git-ignored) without running its debconf set-up.
# Quick and silent when everything is present. Prints the metadefs directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CACHE=.cache/reference
METADEFS=$CACHE/glance-common/usr/share/glance-common/metadefs

if ! /usr/bin/python3 -c 'import glance.cmd.manage, psycopg2, pymysql' 2>/dev/null; then
  echo "[reference] installing python3-glance" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends python3-glance python3-psycopg2 python3-pymysql >&2
fi

if [ ! -d "$METADEFS" ]; then
  echo "[reference] unpacking glance-common's metadefs" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download writes to the current directory; _apt cannot write to mktemp's 0700 dir.
  chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq glance-common >&2 2>/dev/null || { apt-get update -qq && apt-get download -qq glance-common; } >&2)
  rm -rf "$CACHE/glance-common"
  mkdir -p "$CACHE"
  dpkg -x "$tmp"/glance-common_*.deb "$CACHE/glance-common"
  [ -d "$METADEFS" ] || { echo "[reference] no metadefs folder in glance-common" >&2; exit 1; }
fi
echo "$METADEFS"
