# Builds sarcreg for teams that run containers; the registry itself needs only libpq at run time.
# The toolchain is the one the test suite runs with (Swift 6.3.1); DeploymentFilesTests keeps the two equal.
FROM swift:6.3.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product sarcreg

FROM debian:bookworm-slim
# postgresql-client-15: pg_dump and pg_restore of the server's major version, for `sarcreg db backup` and `db restore`.
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 postgresql-client-15 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/lib/swift/linux/*.so /usr/lib/swift/linux/
COPY --from=build /src/.build/release/sarcreg /app/bin/sarcreg
COPY Migrations /app/Migrations
# Never root: the key and passfile secrets are readable by this user (uid 1000) alone.
RUN useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin sarcreg
USER sarcreg
ENV LD_LIBRARY_PATH=/usr/lib/swift/linux PG_BINDIR=/usr/lib/postgresql/15/bin
ENTRYPOINT ["/app/bin/sarcreg"]
CMD ["db", "status"]
