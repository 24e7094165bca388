# octosync — the two commands a fresh machine needs are `make demo` and `make test`.
GO        ?= go
BIN       := bin/octosync
PKGS      := ./...
BENCHTIME ?= 1x

.PHONY: all build test lint demo bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/octosync

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

test: lint
	$(GO) test -count=1 $(PKGS)

demo: build
	./scripts/demo.sh $(BIN)

bench: build
	./scripts/bench.sh

fuzz:
	$(GO) test ./schema -run '^$$' -fuzz FuzzLoad -fuzztime 30s

clean:
	rm -rf bin .bench
