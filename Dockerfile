# syntax=docker/dockerfile:1
#
# TranscriptorIO container image: the server, its web UI and whisper.cpp,
# for CPU (default), NVIDIA GPUs (CUDA) or AMD/Intel GPUs (Vulkan).
#
#   docker build -t transcriptorio .
#   docker build --build-arg VARIANT=vulkan -t transcriptorio:vulkan .    run with --device /dev/dri
#   docker build --build-arg VARIANT=cuda \
#     --build-arg BUILD_IMAGE=nvidia/cuda:12.6.3-devel-ubuntu24.04 \
#     --build-arg RUNTIME_IMAGE=nvidia/cuda:12.6.3-runtime-ubuntu24.04 \
#     -t transcriptorio:cuda .                                             run with --gpus all
#
# The compose files in deploy/ carry these arguments. At run time the data
# folder is the volume /config (database, settings, models in /config/models,
# logs); media folders are mounted read-write, since subtitles are written
# beside the videos. PUID/PGID/UMASK work as in linuxserver.io images: the
# server runs as PUID:PGID, never as root, and what it writes is theirs.
# tini is PID 1, so worker processes and whisper-server are reaped, and
# SIGTERM stops the server, which stops its workers first.
#
# Build arguments:
#   VARIANT          cpu | vulkan | cuda
#   BUILD_IMAGE,     the images the build and the result start from: Node's
#   RUNTIME_IMAGE    Debian image by default; NVIDIA's CUDA devel and runtime
#                    images for cuda (Node is added to them)
#   WHISPER_NATIVE   1 (default): whisper.cpp compiled for the CPU of the
#                    machine that builds the image, as `npm install` does (the
#                    fastest there); 0: for any x86-64 CPU with AVX2 (Intel
#                    since 2013, AMD since 2015), for an image other machines
#                    run. cuda is always built this way: no GPU is visible
#                    while building, so kernels for every recent GPU are made.
#   SIZE_BUDGET_MB   what the build reports the image's size against
#                    (default 800 cpu, 1000 vulkan, 6000 cuda)
#
# Stage names never depend on an argument (only image names do), so that
# builders without BuildKit's stage pruning (podman 4 / buildah 1.28, Debian
# 12's) build only what the variant needs.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG BUILD_IMAGE=${NODE_IMAGE}
ARG RUNTIME_IMAGE=${NODE_IMAGE}

FROM ${NODE_IMAGE} AS node

# ---- the application and its engine, compiled for the variant
FROM ${BUILD_IMAGE} AS build
ARG VARIANT=cpu
ARG WHISPER_NATIVE=1
# Node from the Node image when the base has none (the CUDA images); the toolchain
# for whisper.cpp and node-gyp (better-sqlite3); the Vulkan headers and shader compiler.
RUN --mount=type=bind,from=node,source=/usr/local,target=/mnt/node \
    set -e; \
    case "$VARIANT" in \
      cpu) extra= ;; \
      vulkan) extra="glslc libvulkan-dev spirv-headers" ;; \
      cuda) extra=; command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || { echo "VARIANT=cuda builds on NVIDIA's CUDA devel image: add --build-arg BUILD_IMAGE=nvidia/cuda:12.6.3-devel-ubuntu24.04 --build-arg RUNTIME_IMAGE=nvidia/cuda:12.6.3-runtime-ubuntu24.04" >&2; exit 1; } ;; \
      *) echo "VARIANT must be cpu, vulkan or cuda, got \"$VARIANT\"" >&2; exit 1 ;; \
    esac; \
    if ! command -v node >/dev/null; then cp -a /mnt/node/bin /mnt/node/lib /mnt/node/include /usr/local/; fi; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake g++ make python3 $extra; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
# Dependencies first, so that a source change reuses them and the engine.
COPY package.json package-lock.json ./
COPY scripts/*.mjs scripts/
RUN TRANSCRIPTORIO_SKIP_WHISPER_BUILD=1 npm ci --no-audit --no-fund
# The CPU engine always (voice detection and CPU workers use it), the GPU one
# beside it. The Vulkan shaders take long to compile: their cache is kept.
RUN --mount=type=cache,target=/root/.cache/transcriptorio \
    set -e; \
    export TRANSCRIPTORIO_WHISPER_NATIVE="$WHISPER_NATIVE"; \
    if [ "$VARIANT" = cuda ]; then export TRANSCRIPTORIO_WHISPER_NATIVE=0; fi; \
    node scripts/build-whisper.mjs --cpu; \
    if [ "$VARIANT" != cpu ]; then node scripts/build-whisper.mjs "--$VARIANT"; fi; \
    rm -f vendor/whisper/build-*.log
COPY tsconfig.json ./
COPY bin/ bin/
COPY assets/ assets/
COPY src/ src/
COPY web/ web/
# Then only what runs: no dev dependencies, the engine's sources or the SQLite driver's build files.
RUN set -e; \
    node scripts/build.mjs --force; \
    npm prune --omit=dev --no-audit --no-fund; \
    rm -rf node_modules/nodejs-whisper/cpp \
      node_modules/better-sqlite3/deps node_modules/better-sqlite3/src node_modules/better-sqlite3/build/deps \
      node_modules/better-sqlite3/build/Release/obj* node_modules/better-sqlite3/build/Release/.deps \
      dist/.tsbuildinfo; \
    find dist -name '*.map' -delete

# ---- the image
FROM ${RUNTIME_IMAGE}
ARG VARIANT=cpu
ARG SIZE_BUDGET_MB=0
# Node when the base has none; tini; OpenMP (whisper.cpp's threads); for
# Vulkan the loader and Mesa's drivers (AMD radv, Intel anv). The base image's
# own uid-1000 user gives way to `tio`, whose ids become PUID/PGID at start.
RUN --mount=type=bind,from=node,source=/usr/local/bin,target=/mnt/node-bin \
    set -e; \
    case "$VARIANT" in vulkan) extra="libvulkan1 mesa-vulkan-drivers" ;; *) extra= ;; esac; \
    if [ "$VARIANT" = cuda ] && [ ! -e /usr/local/cuda ]; then \
      echo "VARIANT=cuda runs on NVIDIA's CUDA runtime image: add --build-arg RUNTIME_IMAGE=nvidia/cuda:12.6.3-runtime-ubuntu24.04" >&2; exit 1; fi; \
    if ! command -v node >/dev/null; then cp /mnt/node-bin/node /usr/local/bin/node; fi; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tini libgomp1 $extra; \
    rm -rf /var/lib/apt/lists/*; \
    for u in node ubuntu; do if id "$u" >/dev/null 2>&1; then userdel --remove "$u" 2>/dev/null || userdel "$u"; fi; done; \
    groupadd --gid 1000 tio; \
    useradd --uid 1000 --gid tio --home-dir /config --no-create-home --shell /usr/sbin/nologin tio
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/bin/ bin/
COPY --from=build /app/assets/ assets/
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/vendor/whisper/ vendor/whisper/
COPY --from=build /app/web/dist/ web/dist/
COPY --from=build /app/dist/ dist/
COPY deploy/entrypoint.sh /usr/local/bin/transcriptorio-entrypoint
# The npm packages' ffmpeg and ffprobe are executable by their owner only: by PUID too.
RUN set -e; \
    ln -s /app/bin/transcriptorio.js /usr/local/bin/transcriptorio; \
    chmod 0755 /usr/local/bin/transcriptorio-entrypoint; \
    find node_modules/@ffmpeg-installer node_modules/@ffprobe-installer -type f \( -name ffmpeg -o -name ffprobe \) -exec chmod a+rx {} +; \
    budget="$SIZE_BUDGET_MB"; \
    if [ "$budget" = 0 ]; then case "$VARIANT" in cuda) budget=6000 ;; vulkan) budget=1000 ;; *) budget=800 ;; esac; fi; \
    size=$(du -sxm / 2>/dev/null | cut -f1); \
    if [ "$size" -le "$budget" ]; then echo "image size: $size MB of its $budget MB budget ($VARIANT)"; \
    else echo "WARNING: image size $size MB is over its $budget MB budget ($VARIANT)"; fi

ENV NODE_ENV=production \
    DATA_DIR=/config \
    HOST=0.0.0.0 \
    PORT=8000 \
    LOG_FORMAT=pretty \
    PUID=1000 \
    PGID=1000 \
    UMASK=022
VOLUME /config
EXPOSE 8000
# An open route: 503 when the database does not answer or the data folder's disk is full.
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/transcriptorio-entrypoint"]
CMD ["transcriptorio", "server"]
