# donation_exporter container image.
#
#   docker build -t donation_exporter \
#     --build-arg REVISION="$(git rev-parse HEAD)" --build-arg BRANCH="$(git rev-parse --abbrev-ref HEAD)" .
#   docker run --rm -p 9366:9366 -e DONATION_DEMO=true donation_exporter
#
# The build flags are in the Makefile (`make build`), which CI runs too.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .git is not sent to the builder: pass the revision and branch as arguments.
ARG VERSION
ARG REVISION
ARG BRANCH
RUN make build BINARY=/out/donation_exporter BUILD_USER=docker \
    ${VERSION:+VERSION="$VERSION"} ${REVISION:+REVISION="$REVISION"} ${BRANCH:+BRANCH="$BRANCH"}

# Static distroless: CA certificates and nothing else; time zones come from
# the binary's embedded time/tzdata. Runs as the image's nonroot user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/donation_exporter /bin/donation_exporter
USER 65532:65532
EXPOSE 9366
ENTRYPOINT ["/bin/donation_exporter"]
