# giamsat application image: the same image runs the scheduler/crawler, the NLP worker and the
# dashboard (docker-compose.yml picks the command). Data sets are mounted, never baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TZ=Asia/Ho_Chi_Minh \
    GIAMSAT_DATA_DIR=/data/shared

# lxml and scikit-learn ship wheels; tzdata for Asia/Ho_Chi_Minh in the OS as well as in Python.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY giamsat ./giamsat
COPY storage ./storage
COPY crawlers ./crawlers
COPY nlp ./nlp
COPY triage ./triage
COPY dashboard ./dashboard
COPY config ./config
RUN pip install .

RUN useradd --system --create-home --home-dir /var/lib/giamsat giamsat \
 && mkdir -p /var/lib/giamsat /data/shared && chown -R giamsat /var/lib/giamsat
USER giamsat
WORKDIR /var/lib/giamsat
VOLUME ["/var/lib/giamsat"]
EXPOSE 8501

ENTRYPOINT ["giamsat"]
CMD ["--help"]
