#!/usr/bin/env bash
# Installs whatever the local stack lacks: Debian packages, pgvector (built from Debian's
# source package), npm packages (deno, supabase CLI) and the Deno module cache.
# Every step checks first, so a second run installs and builds nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(
  postgresql-15 postgresql-client-15 postgresql-15-cron postgresql-15-pgtap
  postgresql-15-plpgsql-check postgresql-server-dev-15 libtap-parser-sourcehandler-pgtap-perl
  make gcc curl ca-certificates xz-utils gpgv debian-archive-keyring
)

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then info "system packages present"; return; fi
  step "Installing system packages: ${missing[*]}"
  command -v apt-get >/dev/null || die "apt-get not found; this stack needs Debian or Ubuntu (install ${missing[*]} yourself)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    || die "apt-get update failed; check that Debian's package archive is reachable"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}"
}

# pgvector is not packaged for bookworm: take the source from Debian trixie's signed archive
# (InRelease verified with the archive keyring, then Sources.xz and the tarball by SHA-256),
# without touching the system's apt sources, and build it against postgresql-server-dev-15.
PGVECTOR_SUITE="${ORA_PGVECTOR_SUITE:-trixie}"
DEBIAN_MIRROR="${ORA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

install_pgvector() {
  local sharedir; sharedir="$("$PGBIN/pg_config" --sharedir)"
  if [ -f "$sharedir/extension/vector.control" ] && [ -f "$("$PGBIN/pg_config" --pkglibdir)/vector.so" ]; then
    info "pgvector present ($(grep default_version "$sharedir/extension/vector.control" | cut -d"'" -f2))"; return
  fi
  step "Building pgvector from Debian's $PGVECTOR_SUITE source package"
  local dir="$ORA_CACHE/pgvector"; mkdir -p "$dir"
  local fetch=(curl -fsSL --retry 2 --connect-timeout 15)
  "${fetch[@]}" -o "$dir/InRelease" "$DEBIAN_MIRROR/dists/$PGVECTOR_SUITE/InRelease" \
    || die "Could not download Debian's $PGVECTOR_SUITE release file; check that Debian's archive is reachable"
  gpgv --keyring /usr/share/keyrings/debian-archive-keyring.gpg "$dir/InRelease" 2>/dev/null \
    || die "Debian's $PGVECTOR_SUITE release file failed signature verification"
  local sources_sha
  sources_sha="$(awk '/^SHA256:/{f=1;next} /^[A-Z]/{f=0} f && $3=="main/source/Sources.xz"{print $1}' "$dir/InRelease")"
  [ -n "$sources_sha" ] || die "Debian's release file lists no main/source/Sources.xz"
  "${fetch[@]}" -o "$dir/Sources.xz" "$DEBIAN_MIRROR/dists/$PGVECTOR_SUITE/main/source/Sources.xz" \
    || die "Could not download Debian's source index"
  echo "$sources_sha  $dir/Sources.xz" | sha256sum -c --quiet - || die "Debian's source index failed its checksum"
  local entry tarball sha directory
  xz -dc "$dir/Sources.xz" >"$dir/Sources"
  entry="$(awk '/^Package: pgvector$/{f=1} f&&/^$/{exit} f' "$dir/Sources")"
  directory="$(echo "$entry" | awk '/^Directory:/{print $2}')"
  tarball="$(echo "$entry" | awk '/^Checksums-Sha256:/{f=1;next} /^[A-Z]/{f=0} f && $3 ~ /orig\.tar\./{print $3}')"
  sha="$(echo "$entry" | awk '/^Checksums-Sha256:/{f=1;next} /^[A-Z]/{f=0} f && $3 ~ /orig\.tar\./{print $1}')"
  [ -n "$tarball" ] || die "Debian's $PGVECTOR_SUITE source index has no pgvector package"
  if ! echo "$sha  $dir/$tarball" | sha256sum -c --quiet - 2>/dev/null; then
    "${fetch[@]}" -o "$dir/$tarball" "$DEBIAN_MIRROR/$directory/$tarball" || die "Could not download $tarball"
    echo "$sha  $dir/$tarball" | sha256sum -c --quiet - || die "$tarball failed its SHA-256 check"
  fi
  rm -rf "$dir/src"; mkdir -p "$dir/src"
  tar -xzf "$dir/$tarball" -C "$dir/src" --strip-components=1
  info "compiling $tarball"
  make -s -C "$dir/src" PG_CONFIG="$PGBIN/pg_config" OPTFLAGS="" >"$dir/build.log" 2>&1 \
    || die "pgvector failed to compile; see $dir/build.log"
  as_root make -s -C "$dir/src" PG_CONFIG="$PGBIN/pg_config" install >>"$dir/build.log" 2>&1 \
    || die "pgvector failed to install; see $dir/build.log"
}

install_npm() {
  if [ -x "$ORA_ROOT/node_modules/.bin/deno" ] && [ -x "$ORA_ROOT/node_modules/.bin/supabase" ] \
    && [ "$ORA_ROOT/node_modules/.package-lock.json" -nt "$ORA_ROOT/package-lock.json" ]; then
    info "npm packages present"; return
  fi
  step "Installing npm packages (deno, supabase CLI)"
  (cd "$ORA_ROOT" && npm install --no-audit --no-fund --loglevel=error >/dev/null) \
    || die "npm install failed; check that the npm registry is reachable"
  touch "$ORA_ROOT/node_modules/.package-lock.json"
}

install_deno_cache() {
  local stamp="$DENO_DIR/.ora-stamp" want
  want="$(cat "$ORA_ROOT/deno.json" "$ORA_ROOT/deno.lock" | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then info "Deno modules cached"; return; fi
  step "Caching Deno modules from the npm registry"
  mkdir -p "$DENO_DIR"
  (cd "$ORA_ROOT" && deno install --frozen --entrypoint scripts/serve.ts supabase/functions/*/index.ts >/dev/null) \
    || die "deno could not load the project's imports (see the error above: a syntax error, or the npm registry is unreachable)"
  echo "$want" >"$stamp"
}

mkdir -p "$ORA_CACHE"
step "Checking what the local stack needs"
install_apt
install_pgvector
install_npm
install_deno_cache
