#!/usr/bin/env bash
# The tests need these Debian packages: the fixture models phonemize with espeak-ng's data, the
# aac output format (and the encoder tests' cross-checks) run ffmpeg, the playground test drives
# Chromium (playwright-core never downloads a browser), and the pull tests make tar.bz2 archives
# with tar and bzip2; the log test runs the server on a pseudo-terminal with util-linux's script;
# the replica tests run PostgreSQL's server and HAProxy (started by the tests, on loopback).
# Install whichever is missing.
set -euo pipefail
missing=()
[ -f /usr/lib/x86_64-linux-gnu/espeak-ng-data/phontab ] || missing+=(espeak-ng-data)
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing+=(ffmpeg)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v bzip2 >/dev/null || missing+=(bzip2)
command -v script >/dev/null || missing+=(bsdutils)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (Debian) for the tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "The tests need Debian's ${missing[*]}: run  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
