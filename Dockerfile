# syntax=docker/dockerfile:1
# songsim: the Discord bot, with the index builder (docs/DEPLOY.md).
# Stage 1 builds wheels for songsim and every dependency; stage 2 installs them into a slim
# Python runtime. Neither stage installs a compiler (every dependency ships manylinux
# wheels), and the wheels never become a layer of the final image: they are bind-mounted
# from stage 1 only while pip installs them.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY index ./index
COPY bot ./bot
RUN pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE} AS runtime
# An ARG declared before FROM is only visible inside a stage that declares it again.
ARG PYTHON_IMAGE
# Keep VERSION equal to pyproject.toml's version (scripts/check_container.py checks it).
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://example.invalid/songsim
LABEL org.opencontainers.image.title="songsim" \
      org.opencontainers.image.description="Discord bot that recommends songs from the playlists they share" \
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
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    SONGSIM_DATA_DIR=/data \
    SONGSIM_USER_DB=/data/users.sqlite \
    SONGSIM_HEARTBEAT=/tmp/songsim-heartbeat \
    NUMBA_CACHE_DIR=/tmp/numba-cache
RUN groupadd --gid 10001 songsim \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin songsim \
    && mkdir -p /data && chown songsim:songsim /data
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels "songsim==${VERSION}"
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
