# blogdom in a container: the Debian package that scripts/package builds,
# the one CI installs and tests, on a slim Debian.
#
#   docker build -t blogdom .
#   docker run --rm blogdom --version

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
# Installs the build's packages (scripts/bootstrap's lists) and builds
# build/release/blogdom_*.deb.
RUN ./scripts/bootstrap package

FROM debian:bookworm-slim
COPY --from=build /src/build/release/blogdom_*.deb /tmp/
# apt resolves the package's Depends and its Recommends: libcurl4, with
# ca-certificates, for --confirm's HTTPS.
RUN apt-get update \
 && apt-get install -y /tmp/blogdom_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/blogdom_*.deb \
 && blogdom --version
USER nobody
ENTRYPOINT ["blogdom"]
