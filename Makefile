# Genesis: the commands of the README.
#   make demo    a call center on the embedded simulator (60 s, then a summary)
#   make test    C tests under ASan/UBSan, the Swift tests (also under TSan), a short soak
#   make soak    the soak for SOAK_SECONDS (calls with random faults, leak check)
#   make bench   benchmarks (results go to BENCHMARKS.md by hand)
#   make fuzz    the libFuzzer targets, FUZZ_SECONDS each
#   make docs    the DocC catalog, warnings as errors, into .build/docs
# Every target installs the Debian packages it needs when they are missing.

SHELL := /bin/bash
DEBIAN_PACKAGES := libuv1-dev libhiredis-dev libhttp-parser-dev redis-server prometheus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_BUILD_FLAGS ?=
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 600
SOAK_SMOKE_SECONDS ?= 60
# Empty: a random seed, printed by the run (pass it back to replay one).
SOAK_SEED ?=
CC := clang

ENGINE_SOURCES := $(wildcard CSources/CGenesis/*.c)
ENGINE_HEADERS := $(wildcard CSources/CGenesis/*.h CSources/CGenesis/include/*.h)
C_TEST_SOURCES := $(wildcard Tests/CTests/test_*.c)
C_TEST_BIN := Tests/CTests/bin
C_WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter
C_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
C_INCLUDES := -ICSources/CGenesis/include -ICSources/CGenesis
C_LIBS := -luv -lhiredis -lhttp_parser -lpthread -lm
# bfd: the default gold linker warns about every ASan-instrumented symbol.
C_LINK := -fuse-ld=bfd

.PHONY: all deps build test ctest swift-test integration freeswitch-check fuzz-smoke soak-smoke soak tsan-probe tsan demo bench bench-compare fuzz docs clean

all: build

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

# C tests: the engine compiled with the sanitizers, one binary per test file.
ctest: deps
	@mkdir -p $(C_TEST_BIN)
	@set -e; for t in $(C_TEST_SOURCES); do \
	  name=$$(basename $$t .c); \
	  $(CC) -std=c11 -g -O1 -D_GNU_SOURCE $(C_WARNINGS) $(C_SANITIZE) $(C_INCLUDES) \
	    -DGEN_CAPTURES_DIR='"$(CURDIR)/Tests/Fixtures/captures"' \
	    $$t Tests/CTests/gen_test.c $(ENGINE_SOURCES) $(C_LIBS) $(C_LINK) -o $(C_TEST_BIN)/$$name; \
	done
	@set -e; for t in $(C_TEST_SOURCES); do \
	  name=$$(basename $$t .c); echo "== $$name"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(C_TEST_BIN)/$$name; \
	done

# One test at a time: many tests hold real deadlines (connect, commands),
# and 190 of them at once on a 2-core machine starve the cooperative pool
# for seconds (25 s serial against 11 s parallel on a quiet machine). The
# scale tests (10,000 calls, 10,000 timers) run alone afterwards.
swift-test: deps
	swift test $(SWIFT_BUILD_FLAGS) --no-parallel
	GENESIS_SCALE_TESTS=1 swift test $(SWIFT_BUILD_FLAGS) --skip-build --filter EngineClockAndScaleTests

# The exposition checked by promtool and scraped by a real Prometheus; the
# CLI's originate and a short call-center demo against the simulator, as a
# script sees them.
integration: deps
	Tests/Integration/prometheus_scrape.sh
	Tests/Integration/cli_originate.sh
	Tests/Integration/cli_demo.sh

# The CLI, the examples and the demo against a real FreeSWITCH: ESL_HOST (ESL_PORT,
# ESL_PASSWORD) names its event socket; the README's two demo extensions
# must be in its dialplan. Not part of `make test`, which needs no switch.
freeswitch-check: deps
	Tests/Integration/freeswitch_check.sh

# Every fuzz target for a short, bounded time: CI's guard against a
# regression the fuzzers find at once. `make fuzz` runs them longer.
fuzz-smoke: deps
	$(MAKE) -C Tests/Fuzz run FUZZ_SECONDS=15

# The soak (Sources/Soak): thousands of calls through originate, ring
# groups, a queue and bridges against the simulator, with simulator-side
# disconnects, killed calls, busy and silent destinations and callers hanging
# up while queued or ringing; then it fails on any leak (channels, tracked
# legs, queue slots, balancer counts, connections, file descriptors,
# resident memory). Release build: the debug one makes a tenth of the calls.
# `make test` runs it for SOAK_SMOKE_SECONDS (plus a tenth for the warm-up
# and a few seconds of checks); `make soak` for SOAK_SECONDS.
soak-smoke: SOAK_SECONDS = $(SOAK_SMOKE_SECONDS)
soak soak-smoke: deps
	swift build $(SWIFT_BUILD_FLAGS) -c release --product Soak
	$$(swift build $(SWIFT_BUILD_FLAGS) -c release --show-bin-path)/Soak --duration $(SOAK_SECONDS) \
	  $(if $(SOAK_SEED),--seed $(SOAK_SEED))

# ThreadSanitizer and the package's locks (Tests/ThreadSanitizer/main.swift):
# Synchronization.Mutex is reported on Linux (its futex calls are invisible
# to TSan), ThreadLock (pthread) is not, and a real race still is. The
# package's `Lock` is Mutex, and ThreadLock under GENESIS_THREAD_SANITIZER.
TSAN_PROBE := .build/tsan-probe
tsan-probe:
	@mkdir -p $(dir $(TSAN_PROBE))
	swiftc -sanitize=thread -package-name Genesis -D GENESIS_THREAD_SANITIZER \
	  Sources/Genesis/Concurrency/ThreadLock.swift Sources/Genesis/Concurrency/Lock.swift \
	  Tests/ThreadSanitizer/main.swift -o $(TSAN_PROBE)
	@TSAN_OPTIONS=exitcode=66 $(TSAN_PROBE) threadlock >/dev/null 2>&1 \
	  && echo "ThreadLock: no report (as expected)" \
	  || { echo "ThreadLock: reported by ThreadSanitizer"; exit 1; }
	@TSAN_OPTIONS=exitcode=66 $(TSAN_PROBE) race >/dev/null 2>&1 \
	  && { echo "unguarded counter: not reported: the probe cannot see races"; exit 1; } \
	  || echo "unguarded counter: reported (as expected)"
	@TSAN_OPTIONS=exitcode=66 $(TSAN_PROBE) handoff >/dev/null 2>&1 \
	  && echo "continuation hand-off with observeHandOff: no report (as expected)" \
	  || { echo "continuation hand-off with observeHandOff: reported by ThreadSanitizer"; exit 1; }
	@TSAN_OPTIONS=exitcode=66 $(TSAN_PROBE) continuation >/dev/null 2>&1 \
	  && echo "continuation hand-off alone: no report: observeHandOff is no longer needed" \
	  || echo "continuation hand-off alone: reported (the known blind spot)"
	@TSAN_OPTIONS=exitcode=66 $(TSAN_PROBE) mutex >/dev/null 2>&1 \
	  && echo "Synchronization.Mutex: no report: this toolchain no longer needs ThreadLock" \
	  || echo "Synchronization.Mutex: reported (the known false positive)"

# Every Swift test under ThreadSanitizer, built in a scratch directory of
# its own with GENESIS_THREAD_SANITIZER (every lock a ThreadLock, and the
# loop thread's hand-offs made visible: Sources/Genesis/Concurrency/Lock.swift);
# any report fails the run.
TSAN_BUILD := --sanitize=thread -Xswiftc -DGENESIS_THREAD_SANITIZER --scratch-path .build-tsan
tsan: deps
	swift build --build-tests $(TSAN_BUILD)
	swift test --skip-build $(TSAN_BUILD) --no-parallel

test: ctest swift-test integration fuzz-smoke tsan-probe tsan soak-smoke

demo: deps
	swift run $(SWIFT_BUILD_FLAGS) -c release genesis demo

bench: deps
	$(MAKE) -C Benchmarks run

# Against other ESL libraries (Python genesis, greenswitch, python-ESL) on the
# same simulator; installs them into Benchmarks/.build/venv. GENESIS_BIN picks
# the CLI to measure (built when unset); COMPARE_ARGS="ROUNDS SCALE".
bench-compare: deps
	Benchmarks/Compare/compare_libraries.sh $(COMPARE_ARGS)

fuzz: deps
	$(MAKE) -C Tests/Fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

# DocC: the Genesis target's symbol graphs, then the catalog with warnings
# as errors, so an unresolved ``symbol`` link fails the build. The compiler
# writes a graph for every dependency too; only Genesis' own go to docc.
DOCC ?= docc
DOCS_DIR := .build/docs
docs: deps
	rm -rf $(DOCS_DIR)
	mkdir -p $(DOCS_DIR)/all-symbol-graphs $(DOCS_DIR)/symbol-graphs
	swift build $(SWIFT_BUILD_FLAGS) --target Genesis \
	  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc $(CURDIR)/$(DOCS_DIR)/all-symbol-graphs
	find $(DOCS_DIR)/all-symbol-graphs \( -name 'Genesis.symbols.json' -o -name 'Genesis@*.symbols.json' \) \
	  -exec cp {} $(DOCS_DIR)/symbol-graphs/ \;
	$(DOCC) convert Sources/Genesis/Genesis.docc \
	  --additional-symbol-graph-dir $(DOCS_DIR)/symbol-graphs \
	  --output-path $(DOCS_DIR)/Genesis.doccarchive --warnings-as-errors

clean:
	rm -rf .build $(C_TEST_BIN)
