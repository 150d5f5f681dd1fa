# cookiescan with Debian's Chromium, the browser it is tested with.
#
#   CGO_ENABLED=0 make build          # bin/cookiescan, static
#   podman build -t cookiescan .      # or docker build
#   podman run --rm cookiescan scan https://example.com/
#
# Reports go to stdout, or mount a directory: -v "$PWD:/out" ... -o /out/scan.json
FROM docker.io/library/debian:bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium ca-certificates \
 && rm -rf /var/lib/apt/lists/*

COPY bin/cookiescan /usr/local/bin/cookiescan

# The uid of the Kubernetes example in the README (runAsUser: 65532).
RUN useradd --uid 65532 --user-group --create-home --home-dir /home/cookiescan cookiescan
USER 65532:65532
WORKDIR /home/cookiescan

ENTRYPOINT ["cookiescan"]
CMD ["--help"]
