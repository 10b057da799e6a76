#!/usr/bin/env bash
# Build the container image the Molecule scenarios and the demo boot with systemd:
#   localhost/gestixi-mail-bookworm:<tag>   (and :latest pointing at the same image)
# No registry is reachable from the machines this project runs on, so the base system is made
# with debootstrap and the mail packages are baked in with apt-get inside a build container.
#
# The tag is a hash of this file: edit the package list (or anything else here) and the next
# run builds a new image; an unchanged file and an existing image make this a no-op (~0.1 s).
# The debootstrap root filesystem and the downloaded .deb files are cached under .cache/
# (git-ignored by a .gitignore the script writes there) to keep rebuilds short.
#
# Usage: images/build.sh [--force]      prints the image reference on its last line
# Environment: GESTIXI_IMAGE_EXTRA_PACKAGES  extra Debian packages (e.g. the webmail stack)
#              GESTIXI_CACHE_DIR             cache folder (default <repo>/.cache/images)
#              CONTAINERS_CONF               default images/containers.conf
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"

suite=bookworm
mirror=http://deb.debian.org/debian
image=localhost/gestixi-mail-bookworm
# The base system: what debootstrap installs (systemd as PID 1, python3 for Ansible).
base_packages=python3,systemd-sysv
# The mail stack the server role configures (the role also lists them, as a no-op on this image).
mail_packages=(
  postfix postfix-sqlite postfix-pcre postfix-lmdb
  dovecot-imapd dovecot-lmtpd dovecot-sieve dovecot-managesieved dovecot-sqlite
  postfix-pgsql dovecot-pgsql python3-psycopg
  sqlite3 python3-passlib python3-argon2 python3-bcrypt python3-idna python3-apt
  openssl ca-certificates swaks tzdata iproute2 procps
  rspamd redis-server certbot fail2ban nftables python3-systemd clamav-daemon
)
# The webmail role's stack (Roundcube, nginx, php-fpm).
webmail_packages=(roundcube roundcube-core roundcube-sqlite3 roundcube-plugins php8.2-fpm php8.2-sqlite3 nginx)
# What only the tests' other hosts run: the DNS server (BIND), the outside world's verifier
# (dkimpy's dkimverify), the test ACME CA (pebble), an MTA-STS-aware sender (postfix-mta-sts-resolver).
# The fleet's store servers run Debian's PostgreSQL.
test_host_packages=(bind9 dnsutils python3-dkim pebble postfix-mta-sts-resolver postgresql-15)
# shellcheck disable=SC2206
extra_packages=(${GESTIXI_IMAGE_EXTRA_PACKAGES:-})

force=false
[ "${1:-}" = "--force" ] && force=true

log() { printf 'images/build.sh: %s\n' "$*" >&2; }

hash_of() { sha256sum | cut -c1-12; }
tag=$( { cat "$0"; printf '%s\n' "${extra_packages[@]}"; } | hash_of)
ref="$image:$tag"

cache="${GESTIXI_CACHE_DIR:-$repo/.cache/images}"
mkdir -p "$cache/apt-archives/partial"
[ -f "$repo/.cache/.gitignore" ] || { mkdir -p "$repo/.cache"; printf '*\n' >"$repo/.cache/.gitignore"; }

write_tag() {
  podman tag "$ref" "$image:latest"
  printf '%s\n' "$tag" >"$cache/tag"
  printf '%s\n' "$ref"
}

if ! $force && podman image exists "$ref"; then
  log "$ref exists, nothing to build"
  write_tag
  exit 0
fi

start=$(date +%s)

# 1. The base root filesystem (debootstrap, cached as a tarball keyed by its inputs).
base_key=$(printf '%s %s %s minbase\n' "$suite" "$mirror" "$base_packages" | hash_of)
base_tar="$cache/rootfs-$suite-$base_key.tar"
base_ref="localhost/gestixi-bookworm-base:$base_key"
if [ ! -s "$base_tar" ]; then
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/gestixi-rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap $suite into $rootfs (about a minute)"
  debootstrap --variant=minbase --include="$base_packages" "$suite" "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
  # Updates and security fixes, like any Debian 12 server.
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
EOF
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  tar -C "$rootfs" --numeric-owner -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  rm -rf "$rootfs"
  trap - EXIT
fi
if ! podman image exists "$base_ref"; then
  log "importing $base_tar as $base_ref"
  podman import -q --change 'CMD ["/sbin/init"]' "$base_tar" "$base_ref" >/dev/null
fi

# 2. The mail packages, installed in a build container and committed.
# A build that was killed leaves its container behind: remove those whose script is gone.
for stale in $(podman ps -a --format '{{.Names}}' | grep '^gestixi-imagebuild-[0-9]*$' || true); do
  kill -0 "${stale##*-}" 2>/dev/null || podman rm -f "$stale" >/dev/null 2>&1 || true
done
builder="gestixi-imagebuild-$$"
podman rm -f "$builder" >/dev/null 2>&1 || true
trap 'podman rm -f "$builder" >/dev/null 2>&1 || true' EXIT
packages=("${mail_packages[@]}" "${webmail_packages[@]}" "${test_host_packages[@]}" "${extra_packages[@]}")
log "installing ${#packages[@]} packages in $builder (about two minutes on a cold cache)"
podman run --name "$builder" \
  -v "$cache/apt-archives:/var/cache/apt/archives:Z" \
  -e DEBIAN_FRONTEND=noninteractive \
  "$base_ref" /bin/sh -euc '
    # No service may start while packages are installed; the role starts them under systemd.
    printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
    echo "postfix postfix/main_mailer_type select Internet Site" | debconf-set-selections
    echo "postfix postfix/mailname string mail.example.test" | debconf-set-selections
    # dbconfig-common would give Roundcube a PostgreSQL database now that postgresql-15 is in
    # the image (for the store servers of the fleet): the webmail role expects SQLite.
    echo "roundcube-core roundcube/database-type select sqlite3" | debconf-set-selections
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/tmp/apt.log 2>&1 || { tail -n 40 /tmp/apt.log; exit 1; }
    # Only what a role configures runs: the roles enable their own services.
    # (freshclam would download the ClamAV signatures at every boot of every container.)
    for unit in rspamd redis-server named fail2ban nftables clamav-daemon clamav-freshclam postgresql; do
      systemctl disable "$unit.service" >/dev/null 2>&1 || true
    done
    systemctl disable clamav-daemon.socket >/dev/null 2>&1 || true
    rm -f /usr/sbin/policy-rc.d /tmp/apt.log
    rm -rf /var/lib/apt/lists/*
    # systemd creates a fresh machine id at each boot of a container.
    : >/etc/machine-id
  ' sh "${packages[@]}" >&2
podman commit -q \
  --change 'CMD ["/sbin/init"]' \
  --change 'STOPSIGNAL SIGRTMIN+3' \
  --change "LABEL org.opencontainers.image.title=gestixi-mail-bookworm" \
  --change "LABEL io.gestixi.build-sh-hash=$tag" \
  "$builder" "$ref" >/dev/null
podman rm -f "$builder" >/dev/null
trap - EXIT
log "built $ref in $(($(date +%s) - start)) s"
write_tag
# Older builds of this image are dead weight: drop them (one still used by a container stays).
podman images --format '{{.Repository}}:{{.Tag}}' "$image" | grep -v -e ":$tag\$" -e ':latest$' \
  | xargs -r podman rmi >/dev/null 2>&1 || true
