# xstrap - build a Linux guest's root filesystem from a distribution's repositories.
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
DATADIR = $(PREFIX)/share/xstrap

# Lua 5.4's pkg-config name: lua5.4 on Debian, lua on Fedora and EL9
LUA_PC ?= $(shell $(PKG_CONFIG) --exists lua5.4 && echo lua5.4 || echo lua)
LIBS_PC = libsolvext libsolv libcurl libarchive gpgme ext2fs com_err $(LUA_PC) libcap sqlite3 libcrypto
CFLAGS ?= -O2 -g
XS_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread \
	-DXS_DATADIR='"$(DATADIR)"' $(shell $(PKG_CONFIG) --cflags $(LIBS_PC))
XS_LDLIBS = $(shell $(PKG_CONFIG) --libs $(LIBS_PC)) -pthread

ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# every core/**/*.c: the folders show the architecture (docs/design.md)
CORE_SRC = $(filter-out core/main.c,$(sort $(shell find core -name '*.c')))
CORE_HDR = $(shell find core -name '*.h')
CORE_INC = $(patsubst %/,-I%,$(sort $(dir $(CORE_SRC) core/main.c)))
CORE_OBJ = $(CORE_SRC:core/%.c=$(BUILD)/obj/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/xstrap

$(BUILD)/obj/%.o: core/%.c $(CORE_HDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(XS_CFLAGS) $(CORE_INC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# DATADIR is compiled into main.o: a change of PREFIX (`make` and then
# `make install PREFIX=/usr`) rebuilds it. The stamp is rewritten only when
# the directory changes.
$(BUILD)/datadir.stamp: FORCE | $(BUILD)/obj
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@

$(BUILD)/obj/main.o: $(BUILD)/datadir.stamp

# made afresh, so a module that moved or went leaves no stale member
$(BUILD)/libxstrap.a: $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/xstrap: $(BUILD)/obj/main.o $(BUILD)/libxstrap.a
	$(CC) $(LDFLAGS) -o $@ $^ $(XS_LDLIBS)

# test_family links the test-only skeleton family (tests/skeleton/)
$(BUILD)/tests/test_family: UNIT_EXTRA = $(wildcard tests/skeleton/*.c)
$(BUILD)/tests/test_family: $(wildcard tests/skeleton/*)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libxstrap.a | $(BUILD)/tests
	@echo "  CCLD    $@"
	@$(CC) $(XS_CFLAGS) $(CORE_INC) -Itests/skeleton $(CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_EXTRA) \
		$(BUILD)/libxstrap.a $(XS_LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

unit: $(UNIT_BIN)

# The core's shape (issue 7): no call cycles among the modules (the link
# graph of the objects, read with nm) and no package-family branch outside
# core/deb and core/rpm.
structure: $(CORE_OBJ)
	tests/lib/cycles.py $(CORE_OBJ)
	tests/lib/family-branches.sh

# The test command of the README and of .ci/run: installs what the tests need
# (when root and missing), builds, then runs unit and end-to-end tests.
# The fuzz smoke runs first, so the last line is the summary of tests/run.sh.
check: deps-check all unit structure
	$(MAKE) fuzz-smoke
	tests/run.sh $(BUILD)

# Unit tests and the end-to-end tests on the fixture repositories, with
# AddressSanitizer and UBSan (the mirror tests run once, in `check`).
ASAN_E2E = tests/e2e/repo.bats tests/e2e/tamper.bats tests/e2e/hostile.bats \
	tests/e2e/hooks.bats tests/e2e/classes.bats tests/e2e/rpmmd-verify.bats \
	tests/e2e/rpmmd-distros.bats tests/e2e/rpm-install.bats tests/e2e/rpm-hostile.bats \
	tests/e2e/xen-rpm.bats tests/e2e/image.bats tests/e2e/cache-trust.bats \
	tests/e2e/metadata-trust.bats tests/e2e/rpmdb.bats tests/e2e/rpm-repos.bats
check-asan: deps-check
	$(MAKE) BUILD=build-asan SANITIZE=1 all unit structure
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/run.sh build-asan $(ASAN_E2E)

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang and ASan/UBSan
# into build-fuzz/; corpora seeded from the test fixtures (tests/fuzz/seeds.sh)
# plus the committed regression inputs. `make fuzz` runs each target
# FUZZ_SECONDS (or FUZZ_RUNS executions, when set and reached first);
# `fuzz-smoke` (part of check) FUZZ_SMOKE_SECONDS each.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TARGETS = release packages deb rpm rpmmd sources suites config
FUZZ_BIN = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined

# libsolv and libsolvext for the targets: built once per fuzz build dir into
# $(FUZZ_BUILD)/libsolv from Debian's source package of the host's version
# (.dist/static-deps.sh) with FUZZ_CFLAGS, so that libFuzzer sees libsolv's
# branches and ASan its memory. Without that source (no deb-src twin of the
# host's apt entries, no network) the targets link the system's libsolv,
# which fuzz-build says in one line. $(BUILD)/fuzz/libsolv-linked names the
# one linked ("instrumented" or "system"; run.sh picks its floors by it).
# Two UBSan checks are off in libsolv, which relies on two's complement
# int arithmetic by design: shift-base (its flag constants, 1<<31, on every
# file list load; byte<<24 in repo_rpmmd.c) and signed-integer-overflow (its
# hash functions, relhash on every rich dependency).
FUZZ_SOLV_CFLAGS = $(FUZZ_CFLAGS) -fno-sanitize=shift-base,signed-integer-overflow
FUZZ_SOLV_LINKED = $(wildcard $(BUILD)/fuzz/libsolv-linked)
ifneq ($(FUZZ_SOLV),)
XS_CFLAGS := -isystem $(FUZZ_SOLV)/include $(XS_CFLAGS)
XS_LDLIBS = $(FUZZ_SOLV)/lib/libsolvext.a $(FUZZ_SOLV)/lib/libsolv.a -lexpat -lz -llzma -lbz2 -lzstd \
	$(shell $(PKG_CONFIG) --libs $(filter-out libsolvext libsolv,$(LIBS_PC))) -pthread
FUZZ_SOLV_LINKED += $(FUZZ_SOLV)/lib/libsolv.a $(FUZZ_SOLV)/lib/libsolvext.a
endif

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libxstrap.a $(FUZZ_SOLV_LINKED) | $(BUILD)/fuzz
	@echo "  CCLD    $@"
	@$(CC) $(XS_CFLAGS) $(CORE_INC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libxstrap.a $(XS_LDLIBS)

$(BUILD)/fuzz:
	mkdir -p $@

fuzz-bins: $(FUZZ_BIN)

fuzz-build:
	@mkdir -p $(FUZZ_BUILD)/fuzz
	@if CC=clang CFLAGS="$(FUZZ_SOLV_CFLAGS)" BUILD_TYPE=None nice .dist/static-deps.sh \
		$(FUZZ_BUILD)/libsolv libsolv 2>$(FUZZ_BUILD)/libsolv.err; then linked=instrumented; else linked=system; \
		echo "fuzz-build: no instrumented libsolv ($$(tail -n 1 $(FUZZ_BUILD)/libsolv.err)): the fuzz targets link the system's, whose code libFuzzer and ASan do not see"; fi; \
		echo $$linked | cmp -s - $(FUZZ_BUILD)/fuzz/libsolv-linked || echo $$linked >$(FUZZ_BUILD)/fuzz/libsolv-linked
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
		FUZZ_SOLV=$$(grep -qx instrumented $(FUZZ_BUILD)/fuzz/libsolv-linked && echo $(abspath $(FUZZ_BUILD))/libsolv) fuzz-bins
	tests/fuzz/seeds.sh $(FUZZ_BUILD)/corpus

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

deps:
	tests/lib/deps.sh build

deps-check:
	tests/lib/deps.sh check

# xstrap against mmdebstrap (Debian: minbase, then the kernel case), then
# against dnf (rpm-md), then what an ext4 image adds to a build, then an
# FAI nfsroot against fai-make-nfsroot and mmdebstrap; see docs/benchmarks.md. bench-kernel,
# bench-rpm, bench-image and bench-nfsroot run one of them alone;
# bench-unshare the unprivileged case (both tools as the user BENCH_USER,
# in user namespaces).
KERNEL_CASE = linux-image-amd64,firmware-linux-free
BENCH_USER = xstrap-bench
bench: all
	bench/bench.sh
	bench/bench.sh -v important
	bench/bench.sh -i $(KERNEL_CASE)
	bench/bench.sh -u $(BENCH_USER)
	bench/bench-rpm.sh
	bench/bench-image.sh
	bench/bench-nfsroot.sh

bench-image: all
	bench/bench-image.sh

bench-kernel: all
	bench/bench.sh -i $(KERNEL_CASE)

bench-rpm: all
	bench/bench-rpm.sh

bench-nfsroot: all
	bench/bench-nfsroot.sh

bench-unshare: all
	bench/bench.sh -u $(BENCH_USER)

install: all $(BUILD)/xstrap.bash
	install -D -m 0755 $(BUILD)/xstrap $(DESTDIR)$(PREFIX)/bin/xstrap
	mkdir -p $(DESTDIR)$(DATADIR)
	cp -r repos $(DESTDIR)$(DATADIR)/
	for d in classes hooks lua; do [ -z "$$(ls $$d)" ] || cp -r $$d $(DESTDIR)$(DATADIR)/; done
	install -D -m 0644 docs/xstrap.1 $(DESTDIR)$(PREFIX)/share/man/man1/xstrap.1
	install -D -m 0644 docs/xstrap-hooks.5 $(DESTDIR)$(PREFIX)/share/man/man5/xstrap-hooks.5
	install -D -m 0644 $(BUILD)/xstrap.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/xstrap

# Bash completion: what the built binary prints from its option table and
# the suites in repos/.
$(BUILD)/xstrap.bash: $(BUILD)/xstrap $(wildcard repos/*.conf)
	XSTRAP_DATADIR=$(CURDIR) $(BUILD)/xstrap --bash-completion >$@.tmp
	mv $@.tmp $@

completion: $(BUILD)/xstrap.bash

# --- packaging: make static, make dist, make srpm (README: Installing) ------
VERSION := $(shell sed -n 's/.*XS_VERSION "\(.*\)".*/\1/p' core/version.h)
ARCH := $(shell uname -m)

# A release tarball of the committed tree (HEAD): Source0 of .dist/xstrap.spec
# and the tree `make deb` builds from. (rpmbuild -ta does not work on it: the
# rpm fixtures in tests/ are spec files too.)
dist: | $(BUILD)/obj
	git archive --format=tar.gz --prefix=xstrap-$(VERSION)/ \
		-o $(BUILD)/xstrap-$(VERSION).tar.gz HEAD
	@echo "  DIST    $(BUILD)/xstrap-$(VERSION).tar.gz"

# xstrap's own .deb, built by dpkg-buildpackage from the `make dist` tree in
# $(BUILD)/deb/ (so that its artifacts stay there, not in the parent
# directory), then checked by lintian when it is installed.
deb: dist
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb
	tar -C $(BUILD)/deb -xzf $(BUILD)/xstrap-$(VERSION).tar.gz
	cd $(BUILD)/deb/xstrap-$(VERSION) && dpkg-buildpackage -us -uc -b
	! command -v lintian >/dev/null || lintian $(BUILD)/deb/xstrap_*.changes

srpm: dist
	rpmbuild -bs --define "_sourcedir $(abspath $(BUILD))" \
		--define "_srcrpmdir $(abspath $(BUILD))" .dist/xstrap.spec

# make static: one statically linked xstrap in build-static/xstrap, and
# build-static/xstrap-VERSION-ARCH-static.tar.gz (bin/xstrap beside
# share/xstrap, the man pages and the completion). libsolv, libcurl and
# libarchive are built from Debian's source packages first
# (.dist/static-deps.sh says why); everything else is Debian's own .a.
STATIC_BUILD = build-static
STATIC_DEPS = $(CURDIR)/build-static/deps
STATIC_LIBS = -lsolvext -lsolv -lexpat -lcurl -lssl -lcrypto -larchive \
	-llzma -lzstd -llz4 -lbz2 -lz -lgpgme -lassuan -lgpg-error -lext2fs -lcom_err \
	-llua5.4 -lsqlite3 -ldl -lm -lcap -pthread
STATIC_STAGE = $(STATIC_BUILD)/stage
STATIC_NAME = xstrap-$(VERSION)-$(ARCH)-static
ifeq ($(STATIC),1)
XS_CFLAGS := -isystem $(STATIC_DEPS)/include $(XS_CFLAGS)
XS_LDLIBS = -L$(STATIC_DEPS)/lib $(STATIC_LIBS)
LDFLAGS += -static
endif

static: deps-static
	.dist/static-deps.sh $(STATIC_DEPS)
	rm -rf $(STATIC_STAGE)
	$(MAKE) BUILD=$(STATIC_BUILD) STATIC=1 PREFIX=/usr/local \
		DESTDIR=$(CURDIR)/$(STATIC_STAGE) install
	strip $(STATIC_STAGE)/usr/local/bin/xstrap
	tar -C $(STATIC_STAGE)/usr/local --transform 's,^\.,$(STATIC_NAME),' \
		--owner=0 --group=0 -czf $(STATIC_BUILD)/$(STATIC_NAME).tar.gz .
	@echo "  STATIC  $(STATIC_BUILD)/xstrap, $(STATIC_BUILD)/$(STATIC_NAME).tar.gz"

deps-static:
	tests/lib/deps.sh static

clean:
	rm -rf $(BUILD) build-asan $(STATIC_BUILD) $(FUZZ_BUILD)

.PHONY: all unit structure check check-asan deps deps-check bench bench-kernel bench-rpm bench-image bench-nfsroot bench-unshare install clean FORCE \
	completion dist deb srpm static deps-static fuzz fuzz-bins fuzz-build fuzz-smoke
