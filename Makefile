# xstrap - build a Linux guest's root filesystem from a distribution's repositories.
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
DATADIR = $(PREFIX)/share/xstrap

LIBS_PC = libsolvext libsolv libcurl libarchive gpgme ext2fs lua5.4 libcap
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
	@$(CC) $(XS_CFLAGS) $(CORE_INC) $(CFLAGS) -c -o $@ $<

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
check: deps-check all unit structure
	tests/run.sh $(BUILD)

# Unit tests and the end-to-end tests on the fixture repositories, with
# AddressSanitizer and UBSan (the mirror tests run once, in `check`).
ASAN_E2E = tests/e2e/repo.bats tests/e2e/tamper.bats tests/e2e/hostile.bats \
	tests/e2e/hooks.bats tests/e2e/classes.bats tests/e2e/rpmmd-verify.bats \
	tests/e2e/rpmmd-distros.bats tests/e2e/rpm-install.bats tests/e2e/rpm-hostile.bats \
	tests/e2e/xen-rpm.bats
check-asan: deps-check
	$(MAKE) BUILD=build-asan SANITIZE=1 all unit structure
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/run.sh build-asan $(ASAN_E2E)

deps:
	tests/lib/deps.sh build

deps-check:
	tests/lib/deps.sh check

# xstrap against mmdebstrap (Debian), then against dnf (rpm-md); see
# docs/benchmarks.md. bench-rpm runs the second one alone.
bench: all
	bench/bench.sh
	bench/bench-rpm.sh

bench-rpm: all
	bench/bench-rpm.sh

install: all
	install -D -m 0755 $(BUILD)/xstrap $(DESTDIR)$(PREFIX)/bin/xstrap
	mkdir -p $(DESTDIR)$(DATADIR)
	cp -r repos $(DESTDIR)$(DATADIR)/
	for d in classes hooks lua; do [ -z "$$(ls $$d)" ] || cp -r $$d $(DESTDIR)$(DATADIR)/; done
	install -D -m 0644 docs/xstrap.1 $(DESTDIR)$(PREFIX)/share/man/man1/xstrap.1
	install -D -m 0644 docs/xstrap-hooks.5 $(DESTDIR)$(PREFIX)/share/man/man5/xstrap-hooks.5

clean:
	rm -rf $(BUILD) build-asan

.PHONY: all unit structure check check-asan deps deps-check bench bench-rpm install clean FORCE
