#!/usr/bin/env bash
# Install the Debian packages the test suite drives for real, if they are missing:
# Chromium (browser tests), PostgreSQL server binaries (the second database), fonts (screens, PDFs),
# gettext (the translation tests compile and extract the message catalogue), WeasyPrint's libraries.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)
[ -d /usr/share/fonts/truetype/liberation ] || need+=(fonts-liberation)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)  # tests compile and extract the message catalogue
# WeasyPrint (server-side PDFs of documents): Pango, HarfBuzz's subsetter, Liberation fonts; pdftoppm for the picture test.
for lib in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
    dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
done
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v wrk >/dev/null || need+=(wrk)  # the HTTP load generator of `materiel bench` (H1)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "$(date -u +%T) Installing Debian packages: ${need[*]}"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
