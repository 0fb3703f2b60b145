# dsengine — build, test, benchmark and fuzz.
#
#   make build   the binary in bin/dsengine
#   make test    installs what the tests need (once), then vet + every test, with and without -race
#   make bench   the benchmarks, with the figures the issues ask for
#   make fuzz    each fuzz target for FUZZTIME (found inputs go to testdata/fuzz/)

SHELL     := /bin/bash
GO        ?= go
FUZZTIME  ?= 30s
BENCHTIME ?= 1s
# Debian packages the tests start as real servers, and the commands that show
# they are installed.
DEB_PACKAGES = gnupg nginx exim4-daemon-light openssh-server openssh-client rsyslog swaks netcat-openbsd sec iproute2 procps util-linux bsdutils snmpd snmptrapd snmp tmux libxml2-utils lldpd nats-server chromium postgresql systemd-journal-remote
DEB_COMMANDS = gpg gpgconf nginx exim4 sshd ssh-keygen rsyslogd swaks nc sec logger wall unshare ip ps snmpd snmptrapd snmpget tmux xmllint lldpd lldpcli nats-server chromium pg_ctlcluster systemd-journal-remote

FUZZ_TARGETS = \
	./ds/parse:FuzzParseSignature \
	./ds/parse:FuzzCheckCorrelate \
	./ds/parse/eem:FuzzParseEvent \
	./ds/parse/eem:FuzzFields \
	./ds/parse/iosconfig:FuzzParse \
	./ds/parse/iosconfig:FuzzApply \
	./ds/parse/iosconfig:FuzzFormat \
	./ds/vty:FuzzLine \
	./ds/events/syslogmsg:FuzzParse \
	./ds/events/input/tcp:FuzzFramer \
	./ds/events/match:FuzzLiterals \
	./ds/events/match:FuzzIndex \
	./ds/notify/callhome:FuzzXML \
	./ds/applet:FuzzRun

.PHONY: all build test deps vet bench fuzz clean

all: build

build:
	$(GO) build -o bin/dsengine ./cmd/dsengine

# deps installs the Debian packages the tests need, only when one is missing.
deps:
	@missing=""; for c in $(DEB_COMMANDS); do \
		command -v $$c >/dev/null 2>&1 || [ -x /usr/sbin/$$c ] || [ -x /lib/systemd/$$c ] || missing="$$missing $$c"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing test dependencies (missing:$$missing)"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_PACKAGES); \
	else \
		echo "test dependencies already installed"; \
	fi
	$(GO) mod download

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# test runs every package twice: once as built (the allocation checks of
# the hot paths hold only without the race detector's instrumentation), and
# once under the race detector.
test: deps vet
	$(GO) test -count=1 -timeout 12m -skip 'TestCrashSafety$$' ./...
	@echo "--- the race detector over every package"
	$(GO) test -race -count=1 -timeout 12m -skip 'TestCrashSafety$$' ./...
	@echo "--- bootflash crash safety (SIGKILL during installs)"
	@set -o pipefail; $(GO) test -count=1 -timeout 12m -v -run 'TestCrashSafety$$' ./bootflash | grep -E '^(crash trials|--- |ok|FAIL)'


bench: build
	$(GO) test -p 1 -run '^$$' -bench . -skip 'BenchmarkNetlinkDelivery$$|BenchmarkShards$$' -benchmem -benchtime $(BENCHTIME) -cpu 1 ./...
	@echo "--- the daemon's pipeline on 1 and 2 cores (issue 16): lines of 1,000 senders, or of one relay, in 1 or 2 shards, 1,000 DS"
	$(GO) test -run '^$$' -bench 'BenchmarkShards$$' -benchtime 2x -cpu $$(nproc) ./ds/events/pump/
	@echo "--- netlink (issue 17): link changes made in a namespace, delivered as events/s to 1,000 registered detectors (root)"
	$(GO) test -run '^$$' -bench 'BenchmarkNetlinkDelivery$$' -benchmem -benchtime $(BENCHTIME) -cpu 1 ./ds/events/source/netlink/
	@echo "--- dsengine vs SEC (bench/sec): parse + match of the same log against the same 1,000 rules"
	$(GO) run ./bench/sec
	@echo "--- ds test with 100, 1,000 and 10,000 DS over a 1M-line log: wall, replay loop and peak resident size (bench/dstest)"
	$(GO) run ./bench/dstest -bin bin/dsengine
	@echo "--- daemon start, stop and memory with 1,000 and 10,000 DS in the store, each under 100k lines/s (bench/daemon)"
	@echo "--- with 1,000 DS: event → action-done latency under 100k lines/s, UDP loss next to rsyslogd's"
	$(GO) run ./bench/daemon -bin bin/dsengine -ds 1000 -rate 100000 -seconds 5 -loss 100000,150000,200000,250000,300000
	$(GO) run ./bench/daemon -bin bin/dsengine -ds 10000 -rate 100000 -seconds 5
	@echo "--- fleet (issue 19): JetStream away 30 s, the full-size kill -9 test (ds/fleet)"
	$(GO) test -count=1 -run 'TestSpoolsWhileAway' ./ds/fleet/relay/ -args -fleet.away 30s
	$(GO) test -count=1 -timeout 20m -run 'TestKillWorkerMidBurst' ./ds/fleet/worker/ -args -fleet.rounds 20

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzzing $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
	done

clean:
	rm -rf bin
