# This Makefile requires GNU make.
#
# ucspi-tls build. Run ./configure first; see INSTALL.
# Lists of targets live in package/targets.mak (programs) and
# src/tls/deps-exe/<prog> (what each program links with). Library sources
# are found with a wildcard: every src/libutls/*.c goes into libutls.a.
# Header dependencies: package/deps.mak (committed, `make deps`) plus the
# compiler's own .d files when it supports -MMD.

it: all

.PHONY: it all lib programs helpers unit-tests check check-unit check-e2e \
  check-asan check-valgrind stress fuzz testssl bench bench-smtpd bench-resume bench-proxy demo install install-bin install-man install-dev install-doc \
  clean distclean tgz deps

MAKEFLAGS += -r

CONFIGLESS_GOALS := clean distclean demo tgz deps
ifeq ($(wildcard config.mak),)
ifneq ($(filter-out $(CONFIGLESS_GOALS),$(or $(MAKECMDGOALS),all)),)
$(error config.mak not found: run ./configure first (see INSTALL))
endif
else
include config.mak
endif

include package/targets.mak
-include package/deps.mak

# Quiet by default; `make V=1` shows the commands.
ifeq ($(V),1)
Q :=
E := @:
else
Q := @
E := @echo
endif

LIBUTLS := libutls.a
# The programs' own helpers (src/tls/tlsp_*.c, one function a file,
# declared in src/tls/*-internal.h): an internal archive, never
# installed. A program links only the members it uses.
LIBTLSP := src/tls/libtlsp.a

CPPFLAGS_ALL = $(CPPFLAGS_AUTO) $(if $(filter -O0,$(CFLAGS)),,$(CPPFLAGS_FORTIFY)) $(CPPFLAGS)
CFLAGS_ALL = $(CFLAGS_AUTO) $(CFLAGS)
LDFLAGS_ALL = $(LDFLAGS_AUTO) $(LDFLAGS_NOSHARED) $(LDFLAGS)

LIB_SRCS := $(sort $(wildcard src/libutls/*.c))
LIB_OBJS := $(LIB_SRCS:.c=.o)
TLSP_SRCS := $(sort $(wildcard src/tls/tlsp_*.c))
TLSP_OBJS := $(TLSP_SRCS:.c=.o)
PROGS := $(addprefix src/tls/,$(BIN_TARGETS))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_TESTS := $(UNIT_SRCS:.c=)
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
HELPERS := $(HELPER_SRCS:.c=)

# What a program links with: its deps-exe file, one item a line:
# ${LIBTLSP}, ${LIBUTLS}, -lfoo, ${SOCKET_LIB}-style sysdeps variables,
# or foo.o (an object built from src/tls/foo.c). Default when there is
# no file.
DEFAULT_DEPS_EXE := $${LIBUTLS} -lbearssl -lskarnet
deps_exe = $(or $(shell cat src/tls/deps-exe/$(1) 2>/dev/null),$(DEFAULT_DEPS_EXE))
fix_objpath = $(foreach w,$(1),$(if $(filter %.o,$(w)),$(if $(findstring /,$(w)),$(w),src/tls/$(w)),$(w)))

# Library flags (-l..., -L..., -Wl,...) are wrapped for --enable-allstatic;
# files (objects, archives) are prerequisites.
define prog_rule
$(1)_LINK := $(call fix_objpath,$(call deps_exe,$(1)))
$(1)_FILES := $$(filter-out -%,$$($(1)_LINK))
$(1)_LIBS := $$(filter -%,$$($(1)_LINK))
src/tls/$(1): src/tls/$(1).o $$($(1)_FILES)
	$$(E) "  LD      $$@"
	$$(Q)$$(CC) -o $$@ $$(CFLAGS_ALL) $$(LDFLAGS_ALL) src/tls/$(1).o $$($(1)_FILES) $$(EXTLIBS_PRE) $$($(1)_LIBS) $$(EXTLIBS_POST)
endef
$(foreach p,$(BIN_TARGETS),$(eval $(call prog_rule,$(p))))

ALL_OBJS := $(LIB_OBJS) $(TLSP_OBJS) $(wildcard src/tls/*.o) $(PROGS:=.o) $(UNIT_SRCS:.c=.o) $(HELPER_SRCS:.c=.o)

all: lib programs

lib: $(LIBUTLS)

programs: $(PROGS)

helpers: $(HELPERS)

unit-tests: $(UNIT_TESTS)

# Objects are rebuilt when configure changes the flags.
$(ALL_OBJS): config.mak

# The compiler's dependency file for foo.o is foo.o.d.
DEPGEN = $(if $(DEPFLAGS),$(DEPFLAGS) -MF $@.d)

%.o: %.c
	$(E) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(DEPGEN) -c -o $@ $<

# Unit tests may include the internal headers of the library and programs.
$(UNIT_SRCS:.c=.o): CPPFLAGS_AUTO += -Isrc/libutls -Isrc/tls

$(LIBUTLS): $(LIB_OBJS)
	$(E) "  AR      $@"
	$(Q)rm -f $@
	$(Q)$(AR) rc $@ $^
	$(Q)$(RANLIB) $@

$(LIBTLSP): $(TLSP_OBJS)
	$(E) "  AR      $@"
	$(Q)rm -f $@
	$(Q)$(AR) rc $@ $^
	$(Q)$(RANLIB) $@

# A unit test links with libutls.a -lbearssl -lskarnet, plus what the
# optional file tests/unit/<name>.deps lists (deps-exe syntax: e.g.
# ${LIBTLSP} for the programs' helpers).
define unit_rule
$(1)_LINK := $(call fix_objpath,$(shell cat $(1).deps 2>/dev/null))
$(1)_FILES := $$(filter-out -%,$$($(1)_LINK))
$(1)_LIBS := $$(filter -%,$$($(1)_LINK))
$(1): $(1).o $$($(1)_FILES) $$(LIBUTLS)
	$$(E) "  LD      $$@"
	$$(Q)$$(CC) -o $$@ $$(CFLAGS_ALL) $$(LDFLAGS_ALL) $(1).o $$($(1)_FILES) $$(LIBUTLS) $$(EXTLIBS_PRE) $$($(1)_LIBS) -lbearssl -lskarnet $$(EXTLIBS_POST)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

tests/helpers/%: tests/helpers/%.o
	$(E) "  LD      $@"
	$(Q)$(CC) -o $@ $(CFLAGS_ALL) $(LDFLAGS_ALL) $< $(EXTLIBS_PRE) -lskarnet $(SOCKET_LIB) $(EXTLIBS_POST)

include_deps := $(wildcard src/libutls/*.d src/tls/*.d tests/unit/*.o.d tests/helpers/*.o.d)
ifneq ($(include_deps),)
-include $(include_deps)
endif

# ---------------------------------------------------------------------------
# Tests. TESTS='unit/dn e2e/10-foo.sh' runs a subset; JOBS=2 runs e2e tests
# two at a time. CI (set by the CI runner) turns skips into failures.

RUN_TESTS = TESTS='$(TESTS)' JOBS='$(JOBS)' sh tests/run.sh

check: all helpers unit-tests
	$(Q)$(RUN_TESTS)

check-unit: lib unit-tests
	$(Q)TESTS='$(or $(TESTS),$(patsubst tests/%,%,$(UNIT_TESTS)))' JOBS='$(JOBS)' sh tests/run.sh

check-e2e: all helpers
	$(Q)TESTS='$(or $(TESTS),$(patsubst tests/%,%,$(sort $(wildcard tests/e2e/*.sh))))' JOBS='$(JOBS)' sh tests/run.sh

# Sanitizer build: a copy of the tree in build-asan/, built from scratch
# there with ASan+UBSan, then `make check` in it. The normal build is left
# alone. ASAN_CFLAGS / ASAN_LDFLAGS can be overridden.
ASAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1
ASAN_LDFLAGS := -fsanitize=address,undefined
check-asan:
	$(Q)mkdir -p build-asan
	$(Q)tar cf - --exclude=./build-asan --exclude=./build-valgrind --exclude=./.git . | (cd build-asan && tar xf -)
	$(Q)$(MAKE) -C build-asan clean
	$(Q)ASAN_OPTIONS='detect_leaks=0:abort_on_error=0:exitcode=86' UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1' \
	  $(MAKE) -C build-asan check CFLAGS='$(CFLAGS) $(ASAN_CFLAGS)' LDFLAGS='$(LDFLAGS) $(ASAN_LDFLAGS)' LDFLAGS_NOSHARED= EXTLIBS_PRE= EXTLIBS_POST= TESTS='$(TESTS)' JOBS='$(JOBS)'

# libFuzzer harnesses (clang): FUZZ_SECONDS per target, default 60.
fuzz:
	$(Q)FUZZ_SECONDS='$(FUZZ_SECONDS)' sh tests/fuzz/run.sh

# testssl.sh against tlsd (network-free, not part of make check).
testssl: all helpers
	$(Q)sh tests/testssl/run.sh

# Robustness, outside make check: 1000 concurrent connections through
# tcpserver + tlsd and 100 tlsc (tests/stress/run.sh); tlsd and tlsc
# under valgrind memcheck (tests/valgrind/run.sh).
stress: all helpers
	$(Q)sh tests/stress/run.sh

# valgrind cannot read a static-PIE glibc (false reports from its
# start-up code): build-valgrind/ is a copy linked against the shared libc.
check-valgrind:
	$(Q)mkdir -p build-valgrind
	$(Q)tar cf - --exclude=./build-asan --exclude=./build-valgrind --exclude=./.git . | (cd build-valgrind && tar xf -)
	$(Q)$(MAKE) -C build-valgrind clean
	$(Q)$(MAKE) -C build-valgrind all helpers LDFLAGS_NOSHARED=
	$(Q)sh build-valgrind/tests/valgrind/run.sh

bench: all helpers
	$(Q)if test -f bench/run.sh ; then sh bench/run.sh ; else echo "make: bench/run.sh does not exist yet" 1>&2 ; exit 1 ; fi

# What smtpd-starttls costs: a 10 and a 40 MiB message with and without it.
bench-smtpd: all
	$(Q)sh bench/smtpd-starttls.sh

# Session resumption rows only (bench/RESUME.md): a few minutes.
bench-resume: all helpers
	$(Q)ONLY=resume sh bench/run.sh

# proxy-accept's cost per connection (bench/proxy.sh; BENCH_SECONDS, ROUNDS).
bench-proxy: all
	$(Q)sh bench/proxy.sh

demo:
	$(Q)sh tools/demo.sh

# ---------------------------------------------------------------------------
# Installation. DESTDIR is honoured. Modes come from package/modes.
# make install: the programs and their man pages (doc/man1/<prog>.1,
# one per word of BIN_TARGETS; a missing page fails the install).

# A config.mak written before configure knew --mandir.
mandir ?= $(datarootdir)/man

install: install-bin install-man

install-bin: $(PROGS)
	$(Q)for p in $(BIN_TARGETS) ; do \
	  m=$$(sed -n "s/^$$p[[:space:]][[:space:]]*//p" package/modes) ; \
	  sh tools/install.sh -D -m "$${m:-0755}" "src/tls/$$p" "$(DESTDIR)$(bindir)/$$p" || exit 1 ; \
	done

install-man:
	$(Q)for p in $(BIN_TARGETS) ; do \
	  sh tools/install.sh -D -m 0644 "doc/man1/$$p.1" "$(DESTDIR)$(mandir)/man1/$$p.1" || exit 1 ; \
	done

# libutls is internal to ucspi-tls: its headers and archive are not
# installed (doc/libutls.html says why). The target stays, to say so.
install-dev:
	@echo "make: install-dev: libutls is internal to ucspi-tls and is not installed (see doc/libutls.html)" 1>&2 ; exit 1

install-doc:
	$(Q)for d in doc/*.html ; do \
	  test -f "$$d" || continue ; \
	  sh tools/install.sh -D -m 0644 "$$d" "$(DESTDIR)$(docdir)/$${d##*/}" || exit 1 ; \
	done

# ---------------------------------------------------------------------------
# Maintenance

deps:
	$(Q)sh tools/gen-deps.sh > package/deps.mak.tmp && mv -f package/deps.mak.tmp package/deps.mak

clean:
	$(Q)rm -f libutls.a libutls.so.xyzzy $(LIBTLSP) src/libutls/*.o src/libutls/*.lo src/libutls/*.d \
	  src/tls/*.o src/tls/*.d tests/unit/*.o tests/unit/*.d tests/helpers/*.o tests/helpers/*.d
	$(Q)for p in $(BIN_TARGETS) $(patsubst src/tls/%.c,%,$(wildcard src/tls/*.c)) ; do rm -f "src/tls/$$p" ; done
	$(Q)for t in $(patsubst %.c,%,$(wildcard tests/unit/*.c tests/helpers/*.c)) ; do rm -f "$$t" ; done

distclean: clean
	$(Q)rm -rf config.mak config.mak.tmp src/include/utls/config.h src/include/utls/config.h.tmp build-asan build-valgrind

tgz: distclean
	$(Q)set -e ; pv=ucspi-tls-$$(sed -n 's/^version=//p' package/info) ; \
	tmp=$$(mktemp -d) ; mkdir "$$tmp/$$pv" ; \
	tar cf - --exclude=./.git --exclude='./ucspi-tls-*.tar.gz' . | (cd "$$tmp/$$pv" && tar xf -) ; \
	(cd "$$tmp" && tar cf - "$$pv") | gzip -9 > "$$pv.tar.gz" ; \
	rm -rf "$$tmp" ; echo "$$pv.tar.gz"
