# giamsat application image: the same image runs set-up, the scheduler/crawler, the NLP worker and
# the dashboard (docker-compose.yml picks the `giamsat` command). Data sets are mounted, never baked in.
#
# Stage 1 builds the wheel from the checkout (the same artefact `pip wheel .` gives anywhere);
# stage 2 installs only that wheel into a slim Python 3.11: no source tree, no tests, no build tools.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TZ=Asia/Ho_Chi_Minh \
    GIAMSAT_DATA_DIR=/data/shared \
    GIAMSAT_CONFIG_DIR=/etc/giamsat

# tzdata for Asia/Ho_Chi_Minh in the OS as well as in Python; CA certificates for HTTPS sources.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# The Elasticsearch client must speak the server's major version and not be newer than the
# server (storage/es/compat.py): 8.x servers get a client 8.16-8.x, 9.x servers one <= the image.
ARG ES_VERSION=9.5.1
COPY --from=build /wheels /wheels
RUN major="${ES_VERSION%%.*}" \
 && if [ "$major" = 8 ]; then client="elasticsearch>=8.16,<9"; else client="elasticsearch>=${major}.0,<=${ES_VERSION}"; fi \
 && pip install /wheels/giamsat-*.whl "$client" \
 && rm -rf /wheels \
 && giamsat version

# A non-root user owns only its data folder; a province's own profiles are mounted read-only at
# $GIAMSAT_CONFIG_DIR/profiles (the shipped ones are found inside the package).
RUN useradd --system --create-home --home-dir /var/lib/giamsat --shell /usr/sbin/nologin giamsat \
 && mkdir -p /var/lib/giamsat /data/shared /etc/giamsat/profiles \
 && chown -R giamsat /var/lib/giamsat
USER giamsat
WORKDIR /var/lib/giamsat
VOLUME ["/var/lib/giamsat"]
EXPOSE 8501

ENTRYPOINT ["giamsat"]
CMD ["--help"]
