#!/usr/bin/env bash
# Copy front-end assets installed by `npm ci` into static/vendor (git-ignored), so Django's
# staticfiles serves them. Nothing vendored is ever committed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d node_modules/@uswds/uswds/dist || ! -f node_modules/htmx.org/dist/htmx.min.js ]]; then
  echo "node_modules is missing; run 'npm ci' first" >&2
  exit 1
fi

rm -rf static/vendor
mkdir -p static/vendor/uswds static/vendor/htmx
cp -R node_modules/@uswds/uswds/dist/{css,js,fonts,img} static/vendor/uswds/
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
echo "assets copied to static/vendor" >&2
