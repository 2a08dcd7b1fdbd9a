#!/usr/bin/env bash
# A JRE 17 base image from Debian packages, for building and starting the image where no registry is
# reachable (ContainerImageIT): debootstrap minbase + openjdk-17-jre-headless, trimmed, written as a one-layer
# docker-archive (the `docker save` layout: the only tar base Jib 3.5 reads, as -Dimage.base=tar://<path>).
# Built once (~40 s), then taken from the cache: the same base tar gives the same image digest.
#
#   src/test/image/base-image.sh [CACHE_DIR]     (default ~/.cache/lims-consumer)   prints the tar's path
#
# Exit 77 with the reason on stderr when it cannot be built here (not root, debootstrap missing, mirror down).
set -uo pipefail
CACHE=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/lims-consumer}
SUITE=${BASE_SUITE:-bookworm}
MIRROR=${BASE_MIRROR:-http://deb.debian.org/debian}
PACKAGES=openjdk-17-jre-headless
skip() { echo "base image: $*" >&2; exit 77; }

KEY=$( { cat "$0"; echo "$SUITE $MIRROR $PACKAGES"; } | sha256sum | cut -c1-16)
OUT=$CACHE/base-$SUITE-jre17-$KEY.tar
if [ -s "$OUT" ]; then echo "$OUT"; exit 0; fi
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"

mkdir -p "$CACHE" || skip "cannot create $CACHE"
WORK=$(mktemp -d "$CACHE/.build.XXXXXX"); trap 'rm -rf "$WORK"' EXIT
R=$WORK/rootfs
started=$(date +%s)
timeout 900 debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$R" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
  || { tail -3 "$WORK/debootstrap.log" >&2; skip "debootstrap of $SUITE from $MIRROR failed"; }

# what an image layer does not carry: package caches and lists, docs, logs; device nodes and the files the
# runtime provides (resolv.conf, hostname, hosts)
rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/cache/apt/*.bin "$R"/var/lib/apt/lists/* "$R"/var/cache/debconf/*-old \
       "$R"/var/lib/dpkg/*-old "$R"/var/log/* "$R"/var/cache/ldconfig/aux-cache "$R"/usr/share/doc/* "$R"/usr/share/man/* \
       "$R"/usr/share/info/* "$R"/usr/share/lintian "$R"/usr/share/locale/* "$R"/tmp/* "$R"/root/.??* 2>/dev/null
find "$R/dev" -mindepth 1 -delete
: > "$R/etc/resolv.conf"; : > "$R/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' > "$R/etc/hosts"

# one layer, deterministic (sorted names, fixed times, numeric owners), gzipped beforehand so Jib stores it as is
L=$WORK/layer
tar -C "$R" --sort=name --mtime=@0 --numeric-owner --xattrs --xattrs-include=security.capability \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$L.tar" . || exit 1
DIFF=$(sha256sum "$L.tar" | cut -d' ' -f1)
gzip -n -6 "$L.tar"
A=$WORK/archive; mkdir -p "$A/$DIFF"; mv "$L.tar.gz" "$A/$DIFF/layer.tar.gz"
cat > "$A/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64","LANG=C.UTF-8"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$DIFF"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"debootstrap --variant=minbase --include=$PACKAGES $SUITE"}]}
JSON
CONFIG=$(sha256sum "$A/config.json" | cut -d' ' -f1)
mv "$A/config.json" "$A/$CONFIG.json"
printf '[{"Config":"%s.json","RepoTags":["local/debian-jre17:%s"],"Layers":["%s/layer.tar.gz"]}]\n' "$CONFIG" "$SUITE" "$DIFF" > "$A/manifest.json"
tar -C "$A" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$WORK/base.tar" manifest.json "$CONFIG.json" "$DIFF" || exit 1
mv "$WORK/base.tar" "$OUT"
echo "base image: built in $(( $(date +%s) - started )) s, $(( $(stat -c %s "$OUT") / 1048576 )) MiB compressed, $(du -sm "$R" | cut -f1) MiB unpacked: $OUT" >&2
echo "$OUT"
