# Two commands: `make demo` runs everything that exists on the embedded default data,
# `make test` runs every test. Both install missing Debian packages first.
PACKAGES := libopenblas-dev liblapacke-dev libjpeg-dev libpng-dev zlib1g-dev dataset-fashion-mnist strace libopenmpi-dev openmpi-bin iproute2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift

.PHONY: demo test bench deps build fuzz check-traps crash-test mpi-test examples docs

demo: build
	.build/release/fashion demo

# The tests run optimised: one release build (internal symbols visible to @testable imports)
# serves the unit tests and the crash test; the training tests take minutes in a debug build.
# `swift test` alone (debug) runs the same tests.
TEST_BUILD := -c release -Xswiftc -enable-testing
test: deps check-traps
	$(SWIFT) build $(TEST_BUILD) --build-tests
	$(SWIFT) test $(TEST_BUILD) --skip-build
	$(MAKE) examples
	Tools/crash_test.sh
	Tools/bad_input_probe.sh
	Tools/mpi_test.sh
	Tools/two_host_test.sh
	Tools/check_reproducible_kernels.sh
	Tools/tolerance_margins.sh

# Another package using the libraries by path (Examples/): built, every example run, and the
# README's first Swift snippet must be Examples/Sources/TrainingStep/main.swift.
EXAMPLES := TrainingStep TensorOnly DatasetOnly PredictFromCheckpoint
examples: deps
	Tools/check_readme_snippet.sh
	$(SWIFT) build --package-path Examples
	for e in $(EXAMPLES); do echo "== $$e"; Examples/.build/debug/$$e || exit 1; done

# Real `fashion` processes killed (strace) at every kind of write; reruns must finish byte-identically.
crash-test: build
	Tools/crash_test.sh
	Tools/bad_input_probe.sh

# Open MPI between real processes on this machine (shared memory and TCP loopback), and
# across two network-namespace hosts (root with CAP_NET_ADMIN; said SKIPPED otherwise).
mpi-test: build
	Tools/mpi_test.sh
	Tools/two_host_test.sh

# No try!, as!, force-unwrap or fatalError that a user's file or flag could reach (Tools/check_traps.sh).
check-traps:
	Tools/check_traps.sh

# DocC archives of the five libraries (Sources/T/T.docc), every symbol link checked.
docs: deps
	Tools/build_docs.sh

bench: build
	.build/release/fashion bench kernels

build: deps
	$(SWIFT) build -c release --product fashion

# libFuzzer over the readers (Fuzz/): every module instrumented (coverage + AddressSanitizer),
# the no-main libFuzzer runtime linked in; FUZZ_RUNS executions per target from the seed corpora.
FUZZ_RUNS ?= 1000000
FUZZ_TARGETS := FuzzSafetensors FuzzIDX FuzzFashionMNISTCSV FuzzLabelJSON FuzzFeatureCSV FuzzImage
FUZZ_RT = $(firstword $(wildcard $(dir $(realpath $(shell which $(SWIFT))))../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a))

fuzz: deps
	cd Fuzz && $(SWIFT) build -c release -Xswiftc -sanitize=address -Xswiftc -Xfrontend -Xswiftc -sanitize=fuzzer \
	  -Xcc -fsanitize=fuzzer-no-link,address -Xlinker $(FUZZ_RT) -Xlinker -lstdc++
	mkdir -p Fuzz/crashes
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p Fuzz/.corpus/$$t && cp Fuzz/Corpus/$$t/* Fuzz/.corpus/$$t/ && \
	  SWIFT_BACKTRACE=enable=no Fuzz/.build/release/$$t -runs=$(FUZZ_RUNS) -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix=Fuzz/crashes/$$t- Fuzz/.corpus/$$t > Fuzz/crashes/$$t.log 2>&1; status=$$?; \
	  echo "$$t: $$(grep -E '^(Done|==[0-9]+== ERROR|SUMMARY)' Fuzz/crashes/$$t.log | tr '\n' ' ')"; \
	  [ $$status = 0 ] || { echo "$$t failed: see Fuzz/crashes/$$t.log"; exit 1; }; \
	done

# Installs the Debian packages that are missing (apt-get update once, only when needed).
deps:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
