#!/bin/sh
# fingerprint.sh STATIC_DIR — copies each asset under STATIC_DIR (css, js, svg, png, webp,
# woff2; not dist/ itself) to STATIC_DIR/dist/<dir>/<name>.<sha256:10>.<ext> and writes
# STATIC_DIR/dist/manifest.json mapping source paths to them, e.g.
#   {"css/app.css": "dist/css/app.3f2a1c9e0b.css"}
# The view layer links the fingerprinted names (render.c) and nginx serves them with
# year-long immutable caching: a changed file gets a new name, so no browser keeps a stale one.
set -eu
static=${1:?usage: fingerprint.sh STATIC_DIR}
static=$(cd "$static" && pwd)	# absolute: the loop below runs from inside it
dist=$static/dist
tmp=$static/.dist.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
manifest=$tmp/manifest.json
printf '{' > "$manifest"
sep=
cd "$static"
find . -path ./dist -prune -o -path "./.dist.tmp.*" -prune -o -type f \
	\( -name '*.css' -o -name '*.js' -o -name '*.svg' -o -name '*.png' -o -name '*.webp' -o -name '*.woff2' \) \
	-print | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r src; do
	hash=$(sha256sum "$src" | cut -c1-10)
	dir=$(dirname "$src")
	file=$(basename "$src")
	out="$dir/${file%.*}.$hash.${file##*.}"
	mkdir -p "$tmp/$dir"
	cp "$src" "$tmp/$out"
	printf '%s\n  "%s": "dist/%s"' "$sep" "$src" "$out" >> "$manifest"
	sep=,
done
printf '\n}\n' >> "$manifest"
# replace dist/ in one step, so a running server never sees half of it
rm -rf "$dist.old"
[ -d "$dist" ] && mv "$dist" "$dist.old"
mv "$tmp" "$dist"
rm -rf "$dist.old"
