#!/usr/bin/env bash
# Refreshes the JavaScript vendored into the HTML report (crawler-core/assets/vendor/) from the
# npm registry, at the pinned versions below: sigma.js (WebGL graph rendering) and graphology
# (its graph model). Both ship minified UMD builds, so no bundler is needed. Each file is kept
# with its package's licence. Run from anywhere; needs npm and network access to the registry.
# After a version bump: cargo test -p crawler-cli --test cli html (opens the report in chromium).
set -euo pipefail

SIGMA_VERSION=3.0.2
GRAPHOLOGY_VERSION=0.26.0

out="$(cd "$(dirname "$0")/.." && pwd)/crawler-core/assets/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

fetch() { # package version file-in-dist target-name
    npm pack --silent "$1@$2" >/dev/null
    mkdir "$1"
    tar xzf "$1-$2.tgz" -C "$1"
    cp "$1/package/dist/$3" "$out/$4"
    cp "$1/package/LICENSE.txt" "$out/$4.LICENSE.txt"
    echo "vendor-js: $1@$2 -> $4 ($(wc -c <"$out/$4") bytes)" >&2
}

mkdir -p "$out"
fetch sigma "$SIGMA_VERSION" sigma.min.js sigma.min.js
fetch graphology "$GRAPHOLOGY_VERSION" graphology.umd.min.js graphology.umd.min.js
# Drop the source-map comments: the maps are not vendored, and a browser would try to fetch them.
sed -i -e 's|//# sourceMappingURL=.*$||' "$out/sigma.min.js" "$out/graphology.umd.min.js"
printf 'sigma %s\ngraphology %s\n' "$SIGMA_VERSION" "$GRAPHOLOGY_VERSION" >"$out/VERSIONS"
