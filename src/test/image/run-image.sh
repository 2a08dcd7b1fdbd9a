#!/usr/bin/env bash
# Starts a built image from its own root filesystem, where no container runtime can run (docs/deploy.md):
#
#   run-image.sh unpack IMAGE.tar DIR        the layers, in order, into DIR/rootfs; the image config into DIR/config.json
#   run-image.sh run DIR [NAME=VALUE...]     the config's entrypoint, environment (plus NAME=VALUE), working directory and
#                                            user, in a chroot of DIR/rootfs: read-only, tmpfs /tmp, own /proc and pid
#                                            namespace, minimal /dev, no capabilities; host network (127.0.0.1 is shared)
#   run-image.sh exec DIR [NAME=VALUE...] -- ARG...
#                                            the same, ARG... instead of the entrypoint (the image's own JVM with other
#                                            flags: the class-data sharing training)
#
# MOUNTS="HOSTDIR:PATH ..." bind-mounts directories read-only, as a Deployment mounts its ConfigMaps; WRITABLE_MOUNTS
# the same, writable (where a training run leaves its archive).
# SIGTERM for the app goes to the JVM (a descendant); the namespace's PID 1 (a root bash) waits for it, and the whole
# namespace dies with this process. Needs root (mount and pid namespaces, chroot).
set -euo pipefail

unpack() {
  local image=$1 dir=$2
  rm -rf "$dir"; mkdir -p "$dir/archive" "$dir/rootfs"
  tar -xf "$image" -C "$dir/archive"
  local manifest=$dir/archive/manifest.json
  for layer in $(jq -r '.[0].Layers[]' "$manifest"); do
    tar -xf "$dir/archive/$layer" -C "$dir/rootfs" --numeric-owner --same-permissions --warning=no-unknown-keyword
  done
  # Jib layers only add files; a whiteout (a deletion marker) would need a real unpacker (umoci)
  if [ -n "$(find "$dir/rootfs" -name '.wh.*' -print -quit)" ]; then echo "$image has whiteouts: unpack it with umoci" >&2; exit 2; fi
  cp "$dir/archive/$(jq -r '.[0].Config' "$manifest")" "$dir/config.json"
  rm -rf "$dir/archive"
}

run() {
  local dir=$1; shift
  local config=$dir/config.json
  export R=$dir/rootfs
  mapfile -d '' ARGV < <(jq -j '((.config.Entrypoint // []) + (.config.Cmd // []))[] | ., "\u0000"' "$config")
  mapfile -d '' ENVS < <(jq -j '(.config.Env // [])[] | ., "\u0000"' "$config")
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; ARGV=("$@"); break; fi
    ENVS+=("$1"); shift              # later wins: env(1) sets them in order
  done
  export WD=$(jq -r '.config.WorkingDir // "" | if . == "" then "/" else . end' "$config")
  local user; user=$(jq -r '.config.User // "0:0"' "$config")
  export U=${user%%:*} G=${user#*:}
  [ "$G" = "$user" ] && G=$U
  case "$U$G" in *[!0-9]*) echo "only a numeric User is supported, not '$user'" >&2; exit 2;; esac
  printf '%s\0' "${ENVS[@]}" > "$dir/env"
  export ENVFILE=$dir/env MOUNTS=${MOUNTS:-} WRITABLE_MOUNTS=${WRITABLE_MOUNTS:-}
  echo "image: user $U:$G, working directory $WD, entrypoint ${ARGV[*]}" >&2
  exec unshare --mount --pid --fork --kill-child -- bash -c '
    set -e
    mount --make-rprivate /
    mount --bind "$R" "$R"
    mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
    mount -t tmpfs -o nosuid,nodev,mode=1777,size=256m tmpfs "$R/tmp"
    mount -t tmpfs -o nosuid,mode=755,size=64k tmpfs "$R/dev"
    for n in null:3 zero:5 full:7 random:8 urandom:9; do mknod -m 666 "$R/dev/${n%%:*}" c 1 "${n#*:}"; done
    ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
    for m in $MOUNTS; do
      mkdir -p "$R${m#*:}"                              # the mount point, as the kubelet creates it
      mount --bind "${m%%:*}" "$R${m#*:}"; mount -o remount,bind,ro "$R${m#*:}"
    done
    for m in $WRITABLE_MOUNTS; do
      mkdir -p "$R${m#*:}"; mount --bind "${m%%:*}" "$R${m#*:}"
    done
    [ -s /etc/resolv.conf ] && mount --bind /etc/resolv.conf "$R/etc/resolv.conf"   # as a runtime provides it
    mount -o remount,bind,ro,nosuid,nodev "$R"          # the root read-only; /tmp stays writable
    mapfile -d "" ENVS < "$ENVFILE"
    env -i "${ENVS[@]}" setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,+sys_chroot,+setuid,+setgid \
        unshare --root="$R" --wd="$WD" --setgid="$G" --setuid="$U" -- "$@" &
    app=$!
    trap "kill -TERM $app" TERM INT
    while :; do set +e; wait $app; rc=$?; set -e; kill -0 $app 2>/dev/null || exit $rc; done
  ' image-init "${ARGV[@]}"
}

case "${1:-}" in
  unpack) unpack "$2" "$3" ;;
  run) shift; case " $* " in *" -- "*) echo "run takes no command: use exec" >&2; exit 2 ;; *) run "$@" ;; esac ;;
  exec) shift; case " $* " in *" -- "*) run "$@" ;; *) echo "exec needs -- ARG..." >&2; exit 2 ;; esac ;;
  *) echo "usage: $0 unpack IMAGE.tar DIR | run DIR [NAME=VALUE...] | exec DIR [NAME=VALUE...] -- ARG..." >&2; exit 2 ;;
esac
