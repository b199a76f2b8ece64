# Builds sarcreg for teams that run containers; the registry itself needs only libpq at run time.
FROM swift:6.0-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product sarcreg

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 postgresql-client ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/lib/swift/linux/*.so /usr/lib/swift/linux/
COPY --from=build /src/.build/release/sarcreg /app/bin/sarcreg
COPY Migrations /app/Migrations
ENV LD_LIBRARY_PATH=/usr/lib/swift/linux
ENTRYPOINT ["/app/bin/sarcreg"]
CMD ["db", "status"]
