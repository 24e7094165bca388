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

FUZZTIME ?= 30s

# fuzz runs every fuzz target for FUZZTIME; their corpora are checked in
# under testdata/fuzz/ and replayed by make test.
fuzz:
	$(GO) test ./schema -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME)
	$(GO) test ./octopus -run '^$$' -fuzz '^FuzzDecodePage$$' -fuzztime $(FUZZTIME)
	$(GO) test ./octopus -run '^$$' -fuzz '^FuzzDecodeDoc$$' -fuzztime $(FUZZTIME)
	$(GO) test ./octopus/emulator -run '^$$' -fuzz '^FuzzRequestBody$$' -fuzztime $(FUZZTIME)
	$(GO) test ./reconcile -run '^$$' -fuzz '^FuzzReadPlan$$' -fuzztime $(FUZZTIME)

clean:
	rm -rf bin .bench
