#!/usr/bin/env bash
# Builds the installable plugin zip: dist/woocommerce-pagoefectivo.zip (gitignored).
# Only runtime files go in; tests, tools and this script stay out.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/dist"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
slug=woocommerce-pagoefectivo
mkdir -p "$stage/$slug" "$out"
cp -R "$here"/woocommerce-pagoefectivo.php "$here"/uninstall.php "$here"/readme.txt \
  "$here"/includes "$here"/assets "$here"/languages "$stage/$slug/"
for f in $(find "$stage/$slug" -name '*.php'); do php -l "$f" >/dev/null; done
rm -f "$out/$slug.zip"
(cd "$stage" && zip -qr -X "$out/$slug.zip" "$slug")
echo "$out/$slug.zip"
