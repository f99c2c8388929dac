#!/bin/sh
# Installs what the benchmarks need from Debian: wrk (the load generator) and curl (downloads).
# Idempotent and quiet when everything is there already.
set -e
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
[ -z "$missing" ] && exit 0
echo "bench/setup.sh: installing$missing" >&2
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >&2
