# syntax=docker/dockerfile:1
# songsim: the Discord bot, with the index builder (docs/DEPLOY.md).
# Stage `build` builds wheels for songsim and every dependency. Stage `bot` installs them
# into a slim Python runtime without the index builder's packages (numba, llvmlite, scipy,
# zstandard): it answers from an index but does not build one. The last stage, `full`
# (the default target), adds those on top, so it also runs `songsim index build`; the two
# images share every layer but that one. No stage installs a compiler (every dependency
# ships manylinux wheels), and the wheels never become a layer of an image: they are
# bind-mounted from `build` only while pip installs them.
#   docker build -t songsim .                      # full: bot and index builder
#   docker build --target bot -t songsim-bot .     # bot only, about 380 MB smaller

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# Keep VERSION equal to pyproject.toml's version (scripts/check_container.py checks it;
# pip refuses to install a songsim of another version, so a mismatch fails the build).
ARG VERSION=0.1.0

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
COPY pyproject.toml README.md ./
COPY index ./index
COPY bot ./bot
RUN pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE} AS bot
# An ARG declared before FROM is only visible inside a stage that declares it again.
ARG PYTHON_IMAGE
ARG VERSION
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://example.invalid/songsim
LABEL org.opencontainers.image.title="songsim" \
      org.opencontainers.image.description="Discord bot that recommends songs from the playlists they share (bot only: answers from an index, does not build one)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.documentation="${SOURCE}/blob/main/docs/DEPLOY.md" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}"
# SONGSIM_DATA_DIR holds the demo index (built on first start), the user database and any
# index you build; the heartbeat and numba's compile cache go to /tmp, which stays writable
# when the container runs with a read-only root filesystem.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    SONGSIM_DATA_DIR=/data \
    SONGSIM_USER_DB=/data/users.sqlite \
    SONGSIM_HEARTBEAT=/tmp/songsim-heartbeat \
    NUMBA_CACHE_DIR=/tmp/numba-cache
RUN groupadd --gid 10001 songsim \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin songsim \
    && mkdir -p /data && chown songsim:songsim /data
# The bot needs none of the builder's packages (index.jit builds the small demo index as
# plain Python); installed and removed in one step, they never reach a layer. `pip check`
# in this image lists them as missing, which is the point.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels "songsim==${VERSION}" \
    && pip uninstall --yes numba llvmlite scipy zstandard
USER 10001:10001
WORKDIR /home/songsim
VOLUME ["/data"]
# Healthy only while the bot is connected to Discord: it touches $SONGSIM_HEARTBEAT every
# 15 s while connected and ready, and `songsim health` fails once the file is 90 s old or
# missing. The start period covers building the demo index on a first start.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["songsim", "health"]
ENTRYPOINT ["songsim"]
CMD ["bot"]

FROM bot AS full
ARG VERSION
LABEL org.opencontainers.image.description="Discord bot that recommends songs from the playlists they share"
USER 0:0
# pip finds songsim installed and adds what it is missing: the builder's packages.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels "songsim==${VERSION}"
USER 10001:10001
