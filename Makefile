# carbon-aware Slurm: one Makefile for the core library, the Slurm plugins,
# the programs, the tests and the demo.  `make help` lists the targets.
#
# Knobs (make VAR=value):
#   WERROR=0        do not turn warnings into errors (default 1)
#   DESTDIR, PREFIX, BINDIR, LIBEXECDIR, MANDIR, DOCDIR, SYSTEMDUNITDIR,
#   SLURM_PLUGINDIR, SYSCONFDIR        for `make install` (see `make help`)
#   FUZZ_SECONDS    per-target time for `make fuzz` (default 60)

.DEFAULT_GOAL := all
SHELL := /bin/bash
comma := ,

B        := build
WERROR   ?= 1
# The one version of the suite: carbon-cached --version, its build_info
# metric, the User-Agent, and debian/changelog (build-aux/deb.sh checks).
VERSION  := 0.1.0
PREFIX   ?= /usr
BINDIR   ?= $(PREFIX)/bin
# carbon-container and carbon-container-init: the SPANK plugin's default
# (plugstack.conf's libexec=DIR overrides it).
LIBEXECDIR ?= $(PREFIX)/libexec/slurm-carbon
MANDIR   ?= $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/slurm-carbon
SYSCONFDIR ?= /etc/slurm
SYSTEMDUNITDIR ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
SLURM_PLUGINDIR ?= $(shell pkg-config --variable=libdir slurm 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)/slurm-wlm
FUZZ_SECONDS ?= 60
CC       ?= gcc
# `make V=1` shows the full commands.
V ?= 0
ifeq ($(V),0)
Q  := @
say = @printf '  %-6s %s\n' $(1) $(2)
else
Q  :=
say = @true
endif
CLANG    ?= clang

# The configured Slurm source tree (build-aux/deps.sh makes it), keyed on the
# installed Slurm package version so an upgrade rebuilds against new headers.
SLURM_PKG_VERSION := $(shell dpkg-query -W -f='$${Version}' slurm-wlm 2>/dev/null)
SLURM_TREE := $(B)/slurm/$(SLURM_PKG_VERSION)
SLURM_CPPFLAGS := -isystem $(SLURM_TREE)/build -isystem $(SLURM_TREE)/build/slurm \
		  -isystem $(SLURM_TREE)/src

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wwrite-strings -Wundef \
	-Wvla -Wcast-qual -Wnull-dereference -Wimplicit-fallthrough
ifeq ($(WERROR),1)
WARN += -Werror
endif
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection \
	   -fcf-protection
OPT     ?= -O2 -g
CFLAGS_BASE := -std=gnu11 $(OPT) $(WARN) $(HARDEN) -fPIC -fvisibility=hidden \
	       -D_GNU_SOURCE -Ilib
LDFLAGS_BASE := -Wl,-z,relro,-z,now -Wl,--as-needed -Wl,-z,noexecstack

LIB_SRCS   := $(wildcard lib/*.c)
LIB_OBJS   := $(patsubst lib/%.c,$(B)/lib/%.o,$(LIB_SRCS))
LIBCARBON  := $(B)/lib/libcarbon.a

# The simulator's model and policies (sim/, pure like lib/): used by
# carbon-sim and its tests only, never linked into a daemon or plugin.
# It runs libcarbon's very policy, so it links libcarbon (not the reverse).
SIM_SRCS   := $(wildcard sim/*.c)
SIM_OBJS   := $(patsubst sim/%.c,$(B)/sim/%.o,$(SIM_SRCS))
LIBSIM     := $(B)/sim/libcarbonsim.a
SIM_CFLAGS := -Isim

# Adapters shared by the plugins and programs (system clock, Redis snapshot,
# HMAC, files): they may use anything; lib/ may not.
ADAPTER_SRCS := $(wildcard adapters/*.c)
ADAPTER_OBJS := $(patsubst adapters/%.c,$(B)/adapters/%.o,$(ADAPTER_SRCS))
# An archive, so each binary pulls only the adapters it uses (and links
# only their libraries: OpenSSL for hmac, hiredis for redis...).
ADAPTERS     := $(B)/adapters/libadapters.a

PLUGINS := $(B)/plugins/job_submit_carbon.so $(B)/plugins/slurmctld_carbon.so \
	   $(B)/plugins/spank_carbon.so
PROGRAMS :=
# the first process of every container task (spank/container_init.c)
LIBEXEC := $(B)/libexec/carbon-container-init $(B)/libexec/carbon-container
ifneq ($(wildcard tools/carbon-sim/carbon-sim.h),)
PROGRAMS += $(B)/bin/carbon-sim
endif
ifneq ($(wildcard tools/scarbon/scarbon.h),)
PROGRAMS += $(B)/bin/scarbon
endif

# carbon-cached: everything but main.c goes into an archive that its unit
# tests (tests/cache/) and fuzz targets (tests/fuzz/cache/) link too.
CACHE_SRCS   := $(filter-out carbon-cache/main.c,$(wildcard carbon-cache/*.c carbon-cache/providers/*.c))
CACHE_OBJS   := $(patsubst carbon-cache/%.c,$(B)/cache/%.o,$(CACHE_SRCS))
# carbon-cached's part of carbon.conf (cache_conf.h; pure, libc and
# libcarbon only): every reader of the file registers it, so the slurmctld
# plugins, test_config and fuzz_config link it too.
CACHE_CONF_SRCS := carbon-cache/cache_conf.c carbon-cache/providers/provider_conf.c
CACHE_CONF   := $(B)/cache/libcacheconf.a
CACHE_LIB    := $(B)/cache/libcache.a
CACHE_PKGS   := libcurl json-c libxml-2.0 hiredis libmicrohttpd libcrypto
CACHE_CFLAGS := -Icarbon-cache -Iadapters -DCARBON_CACHE_VERSION='"$(VERSION)"' \
		$(shell pkg-config --cflags $(CACHE_PKGS) 2>/dev/null)
CACHE_LIBS   := $(shell pkg-config --libs $(CACHE_PKGS) 2>/dev/null) -lpthread -lm
ifneq ($(wildcard carbon-cache/main.c),)
PROGRAMS += $(B)/bin/carbon-cached
endif
CACHE_TEST_SRCS := $(wildcard tests/cache/test_*.c)
CACHE_TEST_BINS := $(patsubst tests/cache/%.c,$(B)/tests/cache/%,$(CACHE_TEST_SRCS))
CACHE_FUZZ_SRCS := $(wildcard tests/fuzz/cache/fuzz_*.c)
CACHE_FUZZ_BINS := $(patsubst tests/fuzz/cache/%.c,$(B)/fuzz/%,$(CACHE_FUZZ_SRCS))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
SIM_UNIT_BINS := $(addprefix $(B)/tests/,test_sim test_swf test_prng)
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(B)/bench/%,$(BENCH_SRCS))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))

# The shipped data (data/, compressed; see data/README.md): the grid traces
# are decompressed once into $(B)/data for carbon-cached's replay provider,
# the demo, the tests and carbon-sim; the SWF workload is read compressed.
DATA_GZ  := $(wildcard data/carbon/*.csv.gz)
DATA     := $(patsubst data/%.gz,$(B)/data/%,$(DATA_GZ))
WORKLOAD := data/workloads/NASA-iPSC-1993-3.1-cln.swf.gz

SOURCES := $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null)

.PHONY: data bench all deps test test-fresh test-unit test-integration test-fuzz-smoke fuzz demo \
	demo-stop install check-layering check-exports format format-check \
	coverage clean distclean help bench-carbon bench-submit

all: $(PLUGINS) $(PROGRAMS) $(LIBEXEC) $(DATA)

data: $(DATA)

$(B)/data/%: data/%.gz
	@mkdir -p $(dir $@)
	$(call say,GUNZIP,$@)
	$(Q)gzip -dc $< >$@.tmp && mv $@.tmp $@

help:
	@echo "make            build plugins into $(B)/plugins, programs into $(B)/bin"
	@echo "make deps       install Debian packages, fetch and configure Slurm's source (root)"
	@echo "make test       deps, build, unit tests, fuzz smoke, then integration tests"
	@echo "make test-unit | test-integration | fuzz | coverage | bench"
	@echo "make test-fresh deps.sh is complete: unit tests in a bare Debian 12 root (root)"
	@echo "make bench-submit  submission cost, plugins on vs off (root; docs/testing.md)"
	@echo "make bench-carbon  carbon-sim experiments on the shipped data -> docs/results-carbon-sim.md"
	@echo "make demo       start the local federation, submit example jobs, show sacct"
	@echo "make demo-stop  stop everything the demo started"
	@echo "make install    plugins to \$$DESTDIR$(SLURM_PLUGINDIR), programs to \$$DESTDIR$(BINDIR),"
	@echo "                container helpers to $(LIBEXECDIR), man pages, the systemd unit"
	@echo "                to $(SYSTEMDUNITDIR), examples to $(DOCDIR); make uninstall"
	@echo "make deb        Debian packages into $(B)/deb (debhelper, lintian)"
	@echo "make test-deb   the packages installed with apt in a bare Debian 12 root (root)"
	@echo "make check-alerts  promtool checks and tests the Prometheus alert rules"
	@echo "make check-layering | check-exports | format-check | format | clean | distclean"

deps:
	@build-aux/deps.sh $(B)/slurm

$(SLURM_TREE)/.configured:
	@if [ -z "$(SLURM_PKG_VERSION)" ]; then \
		echo "Slurm is not installed: run 'make deps' as root" >&2; exit 1; fi
	@build-aux/deps.sh $(B)/slurm

# ---- the core library (pure C, libc only) --------------------------------
$(B)/lib/%.o: lib/%.c $(wildcard lib/internal/*.h lib/carbon/*.h) | $(B)/lib
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -c -o $@ $<

# An archive also depends on its source folder, whose time changes when a
# file leaves it: else an old archive keeps the objects of moved sources.
$(LIBCARBON): $(LIB_OBJS) lib
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $(filter %.o,$^)

# ---- the simulator's library (pure C, libc and libcarbon only) ---------------
$(B)/sim/%.o: sim/%.c $(wildcard sim/*.h sim/carbon/*.h lib/carbon/*.h) | $(B)/sim
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS_BASE) $(SIM_CFLAGS) -c -o $@ $<

$(LIBSIM): $(SIM_OBJS) sim
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(B)/adapters/%.o: adapters/%.c $(wildcard adapters/*.h lib/carbon/*.h) | $(B)/adapters
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -Iadapters -c -o $@ $<

$(ADAPTERS): $(ADAPTER_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- Slurm plugins ---------------------------------------------------------
# Plugins export only what Slurm looks up (see each exports.map); libcarbon is
# linked in statically and hidden.  Do not link -lslurm: the daemons and
# clients that dlopen a plugin already carry libslurm's symbols.
PLUGIN_LDFLAGS = -shared $(LDFLAGS_BASE) -Wl,--version-script=$(word 2,$^)

# The two slurmctld plugins share plugins/common (carbon.conf, the Redis
# snapshot, the job view) and link hiredis and OpenSSL (HMAC) for it.
CTLD_COMMON := plugins/common/carbon_ctld.c plugins/common/carbon_job.c
CTLD_CFLAGS := -Iplugins/common -Iadapters -Icarbon-cache
CTLD_LIBS   := $(ADAPTERS) $(CACHE_CONF) $(LIBCARBON) -lhiredis -lcrypto -lpthread -lm

$(B)/plugins/job_submit_carbon.so: plugins/job_submit_carbon/job_submit_carbon.c \
		plugins/job_submit_carbon/exports.map plugins/job_submit_carbon/place.c \
		$(CTLD_COMMON) $(wildcard plugins/*/*.h) $(ADAPTERS) $(CACHE_CONF) $(LIBCARBON) \
		$(SLURM_TREE)/.configured | $(B)/plugins
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) $(CTLD_CFLAGS) $(SLURM_CPPFLAGS) $(PLUGIN_LDFLAGS) \
		-o $@ $< plugins/job_submit_carbon/place.c $(CTLD_COMMON) $(CTLD_LIBS)

$(B)/plugins/slurmctld_carbon.so: plugins/sched_carbon/slurmctld_carbon.c \
		plugins/sched_carbon/exports.map plugins/sched_carbon/footprint.c \
		$(CTLD_COMMON) \
		$(wildcard plugins/*/*.h) $(ADAPTERS) $(CACHE_CONF) $(LIBCARBON) \
		$(SLURM_TREE)/.configured | $(B)/plugins
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) $(CTLD_CFLAGS) $(SLURM_CPPFLAGS) $(PLUGIN_LDFLAGS) \
		-o $@ $< plugins/sched_carbon/footprint.c $(CTLD_COMMON) $(CTLD_LIBS)

# LIBEXECDIR is compiled into the SPANK plugin: a stamp holding its value
# rebuilds the plugin when it changes (make LIBEXECDIR=... install).
LIBEXECDIR_STAMP := $(B)/.libexecdir
$(shell mkdir -p $(B) && [ "$$(cat $(LIBEXECDIR_STAMP) 2>/dev/null)" = "$(LIBEXECDIR)" ] || \
	echo "$(LIBEXECDIR)" >$(LIBEXECDIR_STAMP))

# SPANK needs only <slurm/spank.h> from libslurm-dev.  spank_carbon.c is the
# dispatcher; the other sources are one per Slurm context.
SPANK_SRCS := spank/client.c spank/container_opts.c spank/task.c

$(B)/plugins/spank_carbon.so: spank/spank_carbon.c spank/exports.map \
		$(SPANK_SRCS) $(wildcard spank/*.h) $(ADAPTERS) $(LIBCARBON) \
		$(LIBEXECDIR_STAMP) | $(B)/plugins
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -Iadapters -DCARBON_LIBEXECDIR='"$(LIBEXECDIR)"' \
		$(PLUGIN_LDFLAGS) -o $@ $< $(SPANK_SRCS) $(ADAPTERS) $(LIBCARBON) -lm

# ---- test-only Slurm plugins (tests/energy/) ----------------------------------
# acct_gather_energy/carbontest reports a constant power, so that the
# integration tests know a job's energy (federation.sh energy loads it from
# $(B)/tests/plugins).  For tests only: neither `all` nor `install` has it.
TEST_PLUGINS := $(B)/tests/plugins/acct_gather_energy_carbontest.so
ENERGYTEST_SRCS := tests/energy/energytest.c
.PHONY: test-plugins
test-plugins: $(TEST_PLUGINS)

$(B)/tests/plugins/acct_gather_energy_carbontest.so: \
		tests/energy/acct_gather_energy_carbontest.c tests/energy/exports.map \
		$(ENERGYTEST_SRCS) tests/energy/energytest.h $(LIBCARBON) \
		$(SLURM_TREE)/.configured
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -Itests/energy $(SLURM_CPPFLAGS) $(PLUGIN_LDFLAGS) \
		-o $@ $< $(ENERGYTEST_SRCS) $(LIBCARBON)

# ---- container tasks: the first process of each (spank/container_init.c) --
# Static: it runs inside any image, whatever libc the image has or lacks.
$(B)/libexec/carbon-container-init: spank/container_init.c
	@mkdir -p $(@D)
	$(call say,CCLD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 -static -o $@ $<

# One container task: image cache, bundle, runtime (spank/container/).
CONTAINER_SRCS := $(wildcard spank/container/*.c)
$(B)/libexec/carbon-container: $(CONTAINER_SRCS) spank/container/container.h $(LIBCARBON)
	@mkdir -p $(@D)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -fPIE -pie $(shell pkg-config --cflags json-c) $(LDFLAGS_BASE) -o $@ \
		$(CONTAINER_SRCS) $(LIBCARBON) $(shell pkg-config --libs json-c)

# ---- carbon-sim: the workload simulator (tools/carbon-sim) --------------------
CARBON_SIM_SRCS := $(wildcard tools/carbon-sim/*.c)

$(B)/bin/carbon-sim: $(CARBON_SIM_SRCS) tools/carbon-sim/carbon-sim.h \
		$(LIBSIM) $(LIBCARBON) | $(B)/bin
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) $(SIM_CFLAGS) $(LDFLAGS_BASE) -o $@ $(CARBON_SIM_SRCS) \
		$(LIBSIM) $(LIBCARBON) -lz -lm

# ---- scarbon: the users' view (tools/scarbon, scarbon(1)) ---------------------
# A Slurm client: links libslurm (public API), libcurl and json-c; reads
# carbon.conf with every reader's parser (libcacheconf).
SCARBON_SRCS := $(wildcard tools/scarbon/*.c)
SCARBON_PKGS := libcurl json-c
$(B)/bin/scarbon: $(SCARBON_SRCS) tools/scarbon/scarbon.h $(CACHE_CONF) \
		$(ADAPTERS) $(LIBCARBON) | $(B)/bin
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -fPIE -pie -Icarbon-cache \
		$(shell pkg-config --cflags $(SCARBON_PKGS)) $(LDFLAGS_BASE) -o $@ \
		$(SCARBON_SRCS) $(CACHE_CONF) $(ADAPTERS) $(LIBCARBON) -lslurm \
		$(shell pkg-config --libs $(SCARBON_PKGS)) -lm

# The documented experiments on the shipped data (data/): JSON in
# $(B)/bench/carbon, then docs/results-carbon-sim.md regenerated from it.
bench-carbon: $(B)/bin/carbon-sim $(DATA)
	@tools/carbon-sim/bench.sh $(B)/bin/carbon-sim $(B)/data/carbon $(WORKLOAD) \
		$(B)/bench/carbon docs/results-carbon-sim.md

# ---- carbon-cached -----------------------------------------------------------
$(B)/cache/%.o: carbon-cache/%.c $(wildcard carbon-cache/*.h carbon-cache/providers/*.h adapters/*.h lib/*.h lib/carbon/*.h)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS_BASE) $(CACHE_CFLAGS) -c -o $@ $<

$(CACHE_CONF): $(patsubst carbon-cache/%.c,$(B)/cache/%.o,$(CACHE_CONF_SRCS))
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(CACHE_LIB): $(CACHE_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/bin/carbon-cached: carbon-cache/main.c $(CACHE_LIB) $(ADAPTERS) $(LIBCARBON) | $(B)/bin
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -fPIE -pie $(CACHE_CFLAGS) $(LDFLAGS_BASE) -o $@ $< \
		$(CACHE_LIB) $(ADAPTERS) $(LIBCARBON) $(CACHE_LIBS)

$(B)/tests/cache/%: tests/cache/%.c $(wildcard tests/cache/*.h) \
		tests/fake-provider/fake_http.h $(CACHE_LIB) $(ADAPTERS) $(LIBCARBON)
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -Wno-missing-prototypes $(CACHE_CFLAGS) -o $@ $< \
		$(CACHE_LIB) $(ADAPTERS) $(LIBCARBON) $(CACHE_LIBS) -lcmocka

# ---- unit tests (cmocka) ---------------------------------------------------
# The simulator's tests also see sim/ and link its archive.
$(SIM_UNIT_BINS): $(LIBSIM)
$(SIM_UNIT_BINS): private TEST_CFLAGS := $(SIM_CFLAGS)
$(SIM_UNIT_BINS): private TEST_LIBS := $(LIBSIM)
# test_config reads carbon.conf as every reader does: with carbon-cached's keys.
$(B)/tests/test_config: $(CACHE_CONF)
$(B)/tests/test_config: private TEST_CFLAGS := -Icarbon-cache
$(B)/tests/test_config: private TEST_LIBS := $(CACHE_CONF)
# test_energytest: the test energy plugin's arithmetic (tests/energy/).
$(B)/tests/test_energytest: $(ENERGYTEST_SRCS) tests/energy/energytest.h
$(B)/tests/test_energytest: private TEST_CFLAGS := -Itests/energy
$(B)/tests/test_energytest: private TEST_LIBS := $(ENERGYTEST_SRCS)

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIBCARBON) | $(B)/tests
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) $(TEST_CFLAGS) -Wno-missing-prototypes -o $@ $< \
		$(TEST_LIBS) $(LIBCARBON) -lcmocka -lm

test-unit: $(UNIT_BINS) $(CACHE_TEST_BINS) $(DATA) check-layering check-exports check-alerts \
		check-install test-fuzz-smoke
	@set -e; for t in $(UNIT_BINS) $(CACHE_TEST_BINS); do \
		echo "== $$t"; CARBON_DATA_DIR=$(B)/data/carbon $$t; done
	@echo "unit tests: $(words $(UNIT_BINS) $(CACHE_TEST_BINS)) programs passed"

# ---- benchmarks (report, never assert) -------------------------------------
$(B)/bench/%: tests/bench/%.c $(LIBCARBON) | $(B)/bench
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -Wno-missing-prototypes -o $@ $< $(LIBCARBON) -lm

bench: $(BENCH_BINS)
	@set -e; for b in $(BENCH_BINS); do echo "== $$b"; $$b; done

# Submission cost with the plugins on vs off, on a federation of its own
# (build/fed-bench, ports 17800..): root, long; see docs/testing.md.
$(B)/bench/submit_client: tests/bench/submit_client.c | $(B)/bench
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CFLAGS_BASE) -fPIE -pie $(LDFLAGS_BASE) -o $@ $< -lslurm

bench-submit: all $(B)/bench/submit_client
	@tests/bench/bench_submit.sh $(B)/bench/submit_client

# ---- fuzzing (libFuzzer, ASan, UBSan) --------------------------------------
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Ilib -D_GNU_SOURCE \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# The core (and the simulator, for fuzz_swf) is compiled once with the
# sanitizers and coverage hooks, then linked into each target.
FUZZ_OBJ_CFLAGS := $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_CFLAGS))
FUZZ_LIB_OBJS := $(patsubst lib/%.c,$(B)/fuzz/lib/%.o,$(LIB_SRCS))
FUZZ_SIM_OBJS := $(patsubst sim/%.c,$(B)/fuzz/sim/%.o,$(SIM_SRCS))
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_SIM_OBJS)

$(B)/fuzz/lib/%.o: lib/%.c $(wildcard lib/internal/*.h lib/carbon/*.h)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_OBJ_CFLAGS) -c -o $@ $<

$(B)/fuzz/sim/%.o: sim/%.c $(wildcard sim/*.h sim/carbon/*.h lib/carbon/*.h)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_OBJ_CFLAGS) $(SIM_CFLAGS) -c -o $@ $<

# fuzz_swf drives the simulator: it sees sim/ and links its objects.
$(B)/fuzz/fuzz_swf: $(FUZZ_SIM_OBJS)
$(B)/fuzz/fuzz_swf: private TEST_CFLAGS := $(SIM_CFLAGS)
$(B)/fuzz/fuzz_swf: private TEST_LIBS := $(FUZZ_SIM_OBJS)
# fuzz_config parses with carbon-cached's keys registered, as every reader.
$(B)/fuzz/fuzz_config: $(CACHE_CONF_SRCS)
$(B)/fuzz/fuzz_config: private TEST_CFLAGS := -Icarbon-cache
$(B)/fuzz/fuzz_config: private TEST_LIBS := $(CACHE_CONF_SRCS)
$(B)/fuzz/fuzz_energytest: $(ENERGYTEST_SRCS) tests/energy/energytest.h
# fuzz_scarbon_forecast: scarbon's reader of the forecast endpoint's JSON.
$(B)/fuzz/fuzz_scarbon_forecast: tools/scarbon/forecast_answer.c tools/scarbon/scarbon.h
$(B)/fuzz/fuzz_scarbon_forecast: private TEST_CFLAGS := -Itools/scarbon $(shell pkg-config --cflags json-c)
$(B)/fuzz/fuzz_scarbon_forecast: private TEST_LIBS := tools/scarbon/forecast_answer.c $(shell pkg-config --libs json-c)
$(B)/fuzz/fuzz_energytest: private TEST_CFLAGS := -Itests/energy
$(B)/fuzz/fuzz_energytest: private TEST_LIBS := $(ENERGYTEST_SRCS)

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJS) | $(B)/fuzz
	$(call say,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(TEST_LIBS) $(FUZZ_LIB_OBJS) -lm

# Fuzz targets of carbon-cached's parsers: their sources are few, so they
# are compiled straight in with the sanitizers.
$(B)/fuzz/%: tests/fuzz/cache/%.c $(CACHE_SRCS) $(ADAPTER_SRCS) $(FUZZ_LIB_OBJS) | $(B)/fuzz
	$(call say,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(CACHE_CFLAGS) -o $@ $< $(CACHE_SRCS) \
		$(ADAPTER_SRCS) $(FUZZ_LIB_OBJS) $(CACHE_LIBS)

# A few seconds each inside `make test`; `make fuzz` runs them for longer.
test-fuzz-smoke: $(FUZZ_BINS) $(CACHE_FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS) $(CACHE_FUZZ_BINS); do \
		n=$$(basename $$f); mkdir -p $(B)/fuzz/corpus/$$n; \
		echo "== fuzz smoke $$n"; \
		$$f -seed=1 -max_total_time=3 -print_final_stats=0 \
			$(B)/fuzz/corpus/$$n tests/fuzz/corpus/$$n 2>$(B)/fuzz/$$n.log || \
			{ tail -40 $(B)/fuzz/$$n.log; exit 1; }; done

fuzz: $(FUZZ_BINS) $(CACHE_FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS) $(CACHE_FUZZ_BINS); do \
		n=$$(basename $$f); mkdir -p $(B)/fuzz/corpus/$$n; \
		echo "== fuzz $$n for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) $(B)/fuzz/corpus/$$n \
			tests/fuzz/corpus/$$n; done

# ---- coverage of lib/ (and, second, of sim/) ---------------------------------
coverage: | $(B)/cov
	@$(MAKE) --no-print-directory -s B=$(B)/cov/b OPT="-O0 -g --coverage" \
		WERROR=$(WERROR) $(patsubst $(B)/%,$(B)/cov/b/%,$(UNIT_BINS))
	@find $(B)/cov/b -name '*.gcda' -delete
	@set -e; for t in $(patsubst $(B)/%,$(B)/cov/b/%,$(UNIT_BINS)); do \
		$$t >/dev/null 2>&1 || { echo "$$t failed" >&2; exit 1; }; done
	@gcovr --root . --filter 'lib/' --object-directory $(B)/cov/b/lib \
		--txt $(B)/cov/coverage.txt --print-summary $(B)/cov/b/lib \
		| tee $(B)/cov/summary.txt | grep -E '^lines'
	@gcovr --root . --filter 'sim/' --object-directory $(B)/cov/b/sim \
		--txt $(B)/cov/coverage-sim.txt --print-summary $(B)/cov/b/sim \
		| tee $(B)/cov/summary-sim.txt | grep -E '^lines' | sed 's|^|sim/ |'
	@echo "details: $(B)/cov/coverage.txt, $(B)/cov/coverage-sim.txt"

# ---- integration tests and the demo ----------------------------------------
test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-integration

test-integration: all $(TEST_PLUGINS)
	@tests/integration/run.sh

# The package list in build-aux/deps.sh is complete: a bare Debian 12 root
# (debootstrap minbase, cached in $(B)/fresh) with git, make and nothing
# else builds and passes the unit tests from a copy of this tree.
test-fresh: deps
	@build-aux/test-fresh.sh $(B)

demo: deps
	@$(MAKE) --no-print-directory all
	@tools/demo.sh

demo-stop:
	@cluster-configs/local/federation.sh down

# ---- checks -----------------------------------------------------------------
# lib/ and sim/ are pure: libc only, and no clock, environment or randomness;
# libcarbon, the plugins and carbon-cached neither include nor link sim/.
SIM_FREE_BINS := $(PLUGINS) $(filter %/carbon-cached,$(PROGRAMS))
check-layering: $(LIBCARBON) $(LIBSIM) $(CACHE_CONF) $(SIM_FREE_BINS)
	@build-aux/check-layering.sh $(LIBCARBON) $(LIBSIM) $(CACHE_CONF) $(SIM_FREE_BINS)

# Each plugin exports exactly the symbols Slurm looks up.
check-exports: $(PLUGINS) $(TEST_PLUGINS)
	@build-aux/check-exports.sh $(PLUGINS) $(TEST_PLUGINS)

# The alert rules for carbon-cached are valid, and fire (and stay quiet)
# as tests/prometheus/ says they should.
.PHONY: check-alerts
check-alerts: cluster-configs/carbon-cached.rules.yml tests/prometheus/carbon-cached.test.yml
	@promtool check rules $< >/dev/null && echo "check-alerts: $< valid"
	@cd tests/prometheus && promtool test rules carbon-cached.test.yml

format-check:
	@clang-format --dry-run --Werror $(SOURCES) && \
		echo "format-check: $(words $(SOURCES)) files clean"

format:
	@clang-format -i $(SOURCES)

# ---- install ----------------------------------------------------------------
# What a site installs (the Debian packages are cut from the same tree:
# debian/, build-aux/deb.sh).  `make uninstall` removes exactly this list.
MANPAGES := $(wildcard docs/man/*.[1-8])
EXAMPLES := cluster-configs/carbon.conf.example cluster-configs/plugstack.conf.example \
	    cluster-configs/slurm.conf.example cluster-configs/carbon-cached.rules.yml
INST_PLUGINS  := $(addprefix $(SLURM_PLUGINDIR)/,$(notdir $(PLUGINS)))
INST_PROGRAMS := $(addprefix $(BINDIR)/,$(notdir $(PROGRAMS)))
INST_LIBEXEC  := $(addprefix $(LIBEXECDIR)/,$(notdir $(LIBEXEC)))
INST_MAN      := $(foreach m,$(MANPAGES),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
INST_EXAMPLES := $(addprefix $(DOCDIR)/examples/,$(notdir $(EXAMPLES)))
INST_UNIT     := $(SYSTEMDUNITDIR)/carbon-cached.service

.PHONY: uninstall install-systemd
install: all install-systemd
	install -d $(DESTDIR)$(SLURM_PLUGINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(DOCDIR)/examples
	install -m 644 $(PLUGINS) $(DESTDIR)$(SLURM_PLUGINDIR)/
	install -m 755 $(LIBEXEC) $(DESTDIR)$(LIBEXECDIR)/
	$(if $(PROGRAMS),install -d $(DESTDIR)$(BINDIR))
	$(if $(PROGRAMS),install -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/)
	@set -e; for m in $(MANPAGES); do s=$${m##*.}; \
		echo "install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/"; \
		install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/

# The unit names the installed carbon-cached (BINDIR) and carbon.conf
# (SYSCONFDIR).  It is installed, not enabled: carbon.conf and its
# secrets come first (docs/admin-guide.md).
install-systemd: cluster-configs/carbon-cached.service
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|/usr/bin/carbon-cached|$(BINDIR)/carbon-cached|g' \
	    -e 's|/etc/slurm/carbon.conf|$(SYSCONFDIR)/carbon.conf|g' \
		$< >$(DESTDIR)$(INST_UNIT).tmp
	chmod 644 $(DESTDIR)$(INST_UNIT).tmp && mv $(DESTDIR)$(INST_UNIT).tmp $(DESTDIR)$(INST_UNIT)

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INST_PLUGINS) $(INST_PROGRAMS) $(INST_LIBEXEC) \
		$(INST_MAN) $(INST_EXAMPLES) $(INST_UNIT))
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

# install into a scratch DESTDIR puts every file of the INST_* lists, and
# uninstall leaves no file behind (part of test-unit; no root needed).
.PHONY: check-install
check-install: all
	@set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
	$(MAKE) -s --no-print-directory install DESTDIR=$$d >/dev/null; \
	for f in $(INST_PLUGINS) $(INST_PROGRAMS) $(INST_LIBEXEC) $(INST_MAN) \
		$(INST_EXAMPLES) $(INST_UNIT); do \
		[ -f "$$d$$f" ] || { echo "check-install: $$f not installed" >&2; exit 1; }; done; \
	n=$$(find "$$d" -type f | wc -l); \
	$(MAKE) -s --no-print-directory uninstall DESTDIR=$$d; \
	left=$$(find "$$d" -type f); \
	[ -z "$$left" ] || { echo "check-install: uninstall left $$left" >&2; exit 1; }; \
	echo "check-install: $$n files installed, all removed by uninstall"

# ---- Debian packages (debian/; build-aux/deb.sh) ------------------------------
# deb: the packages into $(B)/deb, lintian-clean.  test-deb: installed with
# apt in a bare Debian 12 root, checked, purged (root; tests/deb/).
.PHONY: deb test-deb
deb: deps
	@build-aux/deb.sh $(B)

test-deb: deb
	@build-aux/test-deb.sh $(B)

$(B)/lib $(B)/sim $(B)/adapters $(B)/plugins $(B)/bin $(B)/tests $(B)/fuzz $(B)/cov $(B)/bench:
	@mkdir -p $@

# `clean` keeps the configured Slurm tree (slow to make); `distclean` does not.
clean:
	rm -rf $(B)/lib $(B)/sim $(B)/adapters $(B)/cache $(B)/plugins $(B)/bin $(B)/libexec $(B)/tests $(B)/fuzz $(B)/cov $(B)/bench $(B)/data

distclean:
	rm -rf $(B)
