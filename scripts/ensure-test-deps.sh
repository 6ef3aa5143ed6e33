#!/usr/bin/env bash
# The fixture models phonemize with Debian's espeak-ng data; install it when it is missing.
set -euo pipefail
data=/usr/lib/x86_64-linux-gnu/espeak-ng-data
[ -f "$data/phontab" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing espeak-ng-data (Debian) for the fixture models..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends espeak-ng-data >/dev/null
else
  echo "The tests need Debian's espeak-ng-data: run  sudo apt-get install -y --no-install-recommends espeak-ng-data" >&2
  exit 1
fi
