# Two commands: `make demo` runs everything that exists on the embedded default data,
# `make test` runs every test. Both install missing Debian packages first.
PACKAGES := libopenblas-dev liblapacke-dev libjpeg-dev libpng-dev zlib1g-dev dataset-fashion-mnist
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift

.PHONY: demo test bench deps build

demo: build
	.build/release/fashion demo

test: deps
	$(SWIFT) test

bench: build
	.build/release/fashion bench kernels

build: deps
	$(SWIFT) build -c release --product fashion

# Installs the Debian packages that are missing (apt-get update once, only when needed).
deps:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
