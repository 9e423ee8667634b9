#!/bin/sh
# The container's start (after tini, which is PID 1 so that worker processes
# and whisper-server are reaped and SIGTERM reaches the server).
#
# Started as root (the default), it does what linuxserver.io images do: the
# user `tio` takes the ids PUID and PGID, the data folder and everything in
# it is given to them (a model copied in as root included), the umask is
# UMASK, and the server runs as that user, never as root. Subtitles written
# into the media folders are then owned by PUID:PGID like the rest of the
# library. Started with `--user`, it runs as that user directly and only
# checks that the data folder is writable.
set -eu

PUID="${PUID:-1000}"
PGID="${PGID:-1000}"
UMASK="${UMASK:-022}"
DATA_DIR="${DATA_DIR:-/config}"

fail() {
  echo "transcriptorio: $*" >&2
  exit 64
}

case "$PUID" in '' | *[!0-9]*) fail "PUID must be a number (the user id that owns your media: \`id -u\` on the host), got \"$PUID\"" ;; esac
case "$PGID" in '' | *[!0-9]*) fail "PGID must be a number (the group id that owns your media: \`id -g\` on the host), got \"$PGID\"" ;; esac
case "$UMASK" in [0-7][0-7][0-7] | [0-7][0-7][0-7][0-7]) ;; *) fail "UMASK must be an octal mask such as 022 or 002, got \"$UMASK\"" ;; esac
umask "$UMASK"
export HOME="$DATA_DIR"

if [ "$(id -u)" != 0 ]; then
  mkdir -p "$DATA_DIR" 2>/dev/null || true
  [ -w "$DATA_DIR" ] || fail "the data folder $DATA_DIR is not writable by user $(id -u): give the volume to that user (chown -R $(id -u):$(id -g) on the host), or start the container without --user and set PUID/PGID instead"
  exec "$@"
fi

groupmod -o -g "$PGID" tio
usermod -o -u "$PUID" -g "$PGID" tio
mkdir -p "$DATA_DIR"
# Only what is not already theirs: a large model folder costs nothing on later starts.
find "$DATA_DIR" -xdev \( ! -user "$PUID" -o ! -group "$PGID" \) -exec chown -h "$PUID:$PGID" {} +

# The GPU device nodes (/dev/dri for Vulkan, /dev/nvidia*) belong to groups such
# as `render` and `video` whose ids differ between hosts: the server gets
# each of them as a supplementary group, so passing the device is enough.
groups="$PGID"
for dev in /dev/dri/* /dev/nvidia* /dev/kfd; do
  [ -e "$dev" ] || continue
  gid=$(stat -c %g "$dev")
  case ",$groups," in *",$gid,"*) ;; *) [ "$gid" = 0 ] || groups="$groups,$gid" ;; esac
done

exec setpriv --reuid="$PUID" --regid="$PGID" --groups="$groups" --inh-caps=-all -- "$@"
