# The build flags live here and only here: the Dockerfile runs `make build`,
# and cmd/donation_exporter/build_test.go runs it too and checks the binary.
#
#   make build                      ./donation_exporter, static, version stamped
#   make build BINARY=dist/x VERSION=1.2.3
#   make test                       go test -race ./...
#   make prometheusrule             regenerate examples/kubernetes/prometheusrule.yaml

GO         ?= go
BINARY     ?= donation_exporter
VERSION    ?= $(shell cat VERSION 2>/dev/null || echo unknown)
REVISION   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH     ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
BUILD_USER ?= $(shell id -un 2>/dev/null || echo unknown)@$(shell hostname 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u +%Y%m%d-%H:%M:%S)

VERSION_PKG := github.com/prometheus/common/version
LDFLAGS := -s -w \
	-X $(VERSION_PKG).Version=$(VERSION) \
	-X $(VERSION_PKG).Revision=$(REVISION) \
	-X $(VERSION_PKG).Branch=$(BRANCH) \
	-X $(VERSION_PKG).BuildUser=$(BUILD_USER) \
	-X $(VERSION_PKG).BuildDate=$(BUILD_DATE)

.PHONY: build test prometheusrule

# CGO off: a static binary for the distroless image. -trimpath: no build
# machine paths in it. The time zone database is in the binary (time/tzdata).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BINARY) ./cmd/donation_exporter

test:
	$(GO) test -race ./...

prometheusrule:
	$(GO) test ./examples -run TestPrometheusRuleMatchesRuleFiles -update
