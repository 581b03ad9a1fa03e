# writ: plain make + pkg-config. See README.md.
#   make            build writ (and writ-gate once it exists) into build/
#   make check      build and run every test (tests/run)
#   make sanitize   the same suite under ASan+UBSan (build-san/)
#   make install    DESTDIR=... PREFIX=... stages binaries, man pages, the
#                   systemd unit, examples and the fail2ban filter
#   make uninstall  the same DESTDIR and PREFIX: removes them
#   make deps       install the Debian packages the build and tests need
#   make package    Debian packages writ and writ-gate into build-deb/
#                   (packaging/debian); make package-check: lintian on them
#                   (built first unless build-deb/ is up to date)
#   make demo       the main job against a local loopback fleet
#   make fuzz       build the libFuzzer harnesses (build-fuzz/, clang) and run
#                   each for FUZZ_SECONDS; make fuzz-smoke: 20 s each (CI)

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SBINDIR  ?= $(PREFIX)/sbin
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
UNITDIR  ?= $(PREFIX)/lib/systemd/system
# The unit and the man pages name the gate where it is installed.
SUBST     = sed -e 's|/usr/sbin/writ-gate|$(SBINDIR)/writ-gate|g' 
CC       ?= cc
PKGS     := libssh libsodium inih jansson

SANITIZE ?= 0
FUZZ     ?= 0
ifeq ($(FUZZ),1)
# The fuzz build: clang's libFuzzer on every object, with ASan and UBSan;
# harnesses link -fsanitize=fuzzer, which brings main().
B        ?= build-fuzz
CC       := clang
OPT      := -O1 -g -fno-omit-frame-pointer \
            -fsanitize=fuzzer-no-link,address,undefined \
            -fno-sanitize-recover=all
SANLD    := -fsanitize=address,undefined
else ifeq ($(SANITIZE),1)
B        ?= build-san
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=all
SANLD    := -fsanitize=address,undefined
else
B        ?= build
OPT      := -O2 -g -D_FORTIFY_SOURCE=2
SANLD    :=
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The forced-command gate links no SSH library: sshd starts it every session.
GATE_PKG_LIBS = $(shell pkg-config --libs libsodium inih 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wimplicit-fallthrough
HARDEN   := -fstack-protector-strong -fPIE -fstack-clash-protection \
            -fcf-protection
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE \
              $(OPT) $(WARN) $(HARDEN) -Ipolicy $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack $(SANLD) $(LDFLAGS)

LIB_SRC    := $(wildcard policy/*.c)
CLIENT_SRC := $(wildcard client/*.c)
GATE_SRC   := $(wildcard gateway/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

GATE_MAIN  := $(wildcard gateway/main.c)
GATE_LSRC  := $(filter-out gateway/main.c gateway/daemon_main.c,$(GATE_SRC))
CLIENT_LSRC := $(filter-out client/main.c,$(CLIENT_SRC))
FUZZ_SRC   := $(filter-out tests/fuzz/fuzz.c,$(wildcard tests/fuzz/*.c))

LIB        := $(B)/libwrit.a
LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o)
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(B)/%.o)
# The gate's parts, without main(), so unit tests can link them.
GATE_LIB   := $(if $(GATE_LSRC),$(B)/libgate.a)
GATE_LOBJ  := $(GATE_LSRC:%.c=$(B)/%.o)
# The client's parts, without main(), for the fuzz harnesses.
CLIENT_LIB := $(B)/libclient.a
CLIENT_LOBJ := $(CLIENT_LSRC:%.c=$(B)/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_SECONDS ?= 120
FUZZ_JOBS  ?= 2
TOOL_BIN   := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(wildcard tests/tools/*.c))

PROGS      := $(B)/writ $(if $(GATE_MAIN),$(B)/writ-gate $(B)/writ-gated)

.PHONY: all check sanitize install uninstall deps demo bench clean fuzz fuzz-smoke \
        fuzz-build package package-check
all: $(PROGS)

$(B)/%.o: %.c $(wildcard policy/*.h client/*.h gateway/*.h tests/unit/*.h \
    tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/writ: $(CLIENT_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLIENT_OBJ) $(LIB) $(PKG_LIBS)

$(GATE_LIB): $(GATE_LOBJ)
	rm -f $@
	ar rcs $@ $^

$(CLIENT_LIB): $(CLIENT_LOBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/writ-gate: $(B)/gateway/main.o $(GATE_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(B)/gateway/main.o $(GATE_LIB) $(LIB) $(GATE_PKG_LIBS)

# The daemon: the one part of the gate that links libssh.
$(B)/writ-gated: $(B)/gateway/daemon_main.o $(GATE_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(B)/gateway/daemon_main.o $(GATE_LIB) $(LIB) $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c $(GATE_LIB) $(LIB) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -Igateway $(ALL_LDFLAGS) -o $@ $< $(GATE_LIB) $(LIB) $(PKG_LIBS)

# Small programs the end-to-end tests drive (request builders, decoders).
$(B)/tests/tools/%: tests/tools/%.c $(GATE_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Igateway $(ALL_LDFLAGS) -o $@ $< $(GATE_LIB) $(LIB) $(PKG_LIBS)

# A harness: one parser's LLVMFuzzerTestOneInput, with the shared helpers.
$(B)/fuzz/%: tests/fuzz/%.c $(B)/tests/fuzz/fuzz.o $(CLIENT_LIB) $(GATE_LIB) \
    $(LIB) tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -Igateway -Iclient $(ALL_LDFLAGS) \
	    -fsanitize=fuzzer -o $@ $< $(B)/tests/fuzz/fuzz.o $(CLIENT_LIB) \
	    $(GATE_LIB) $(LIB) $(PKG_LIBS)

fuzz-build: $(FUZZ_BIN)

# Every harness for FUZZ_SECONDS (FUZZ_JOBS at a time) on a scratch copy of
# its corpus; fails on any crash, leak, timeout or sanitizer report.
fuzz: deps
	$(MAKE) FUZZ=1 fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
	    bash tests/fuzz/run build-fuzz $(FUZZ_TARGETS)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=20

check: deps all $(UNIT_BIN) $(TOOL_BIN)
	WRIT_BUILD=$(CURDIR)/$(B) bash tests/run

sanitize:
	$(MAKE) SANITIZE=1 check

deps:
	@bash .ci/deps

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(DATADIR)/writ/examples \
	    $(DESTDIR)$(DATADIR)/writ/fail2ban/filter.d \
	    $(DESTDIR)$(DATADIR)/writ/fail2ban/jail.d \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions
	install -m 0755 $(B)/writ $(DESTDIR)$(BINDIR)/writ
	install -m 0644 packaging/bash-completion/writ \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions/writ
	$(if $(GATE_MAIN),install -m 0755 $(B)/writ-gate $(DESTDIR)$(SBINDIR)/writ-gate)
	$(if $(GATE_MAIN),install -m 0755 $(B)/writ-gated $(DESTDIR)$(SBINDIR)/writ-gated)
	for m in docs/man/*.[158]; do \
	    [ -e "$$m" ] || continue; \
	    d=$(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; \
	    $(SUBST) "$$m" > "$$d" && chmod 0644 "$$d" || exit 1; \
	done
	$(SUBST) packaging/writ-gate.service \
	    > $(DESTDIR)$(UNITDIR)/writ-gate.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/writ-gate.service
	install -m 0644 examples/gate.ini examples/policy.ini.in \
	    $(DESTDIR)$(DATADIR)/writ/examples/
	install -m 0644 packaging/fail2ban/filter.d/writ-gate.conf \
	    $(DESTDIR)$(DATADIR)/writ/fail2ban/filter.d/
	install -m 0644 packaging/fail2ban/jail.d/writ-gate.conf \
	    $(DESTDIR)$(DATADIR)/writ/fail2ban/jail.d/
	install -m 0644 packaging/writ-gate.service.d/uploads.conf.example \
	    $(DESTDIR)$(DATADIR)/writ/examples/

# Removes what install put in place (never a config under /etc).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/writ $(DESTDIR)$(SBINDIR)/writ-gate \
	    $(DESTDIR)$(SBINDIR)/writ-gated \
	    $(DESTDIR)$(UNITDIR)/writ-gate.service \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions/writ
	for m in docs/man/*.[158]; do \
	    rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; \
	done
	rm -rf $(DESTDIR)$(DATADIR)/writ

# Debian packages (packaging/deb.sh): built from a copy of the tree in
# $(DEB_OUT)/src/, so the work tree gets no debian/ directory.
DEB_OUT ?= build-deb
package: deps
	bash packaging/deb.sh build $(DEB_OUT)

package-check: deps
	bash packaging/deb.sh check $(DEB_OUT)

demo: deps all
	WRIT=$(CURDIR)/$(B)/writ WRIT_GATE=$(CURDIR)/$(B)/writ-gate bash examples/demo.sh

bench: deps all $(TOOL_BIN)
	WRIT_BUILD=$(CURDIR)/$(B) bash bench/gate-overhead
	WRIT_BUILD=$(CURDIR)/$(B) bash bench/fanout
	WRIT_BUILD=$(CURDIR)/$(B) bash bench/files
	WRIT_BUILD=$(CURDIR)/$(B) bash bench/daemon
	WRIT_BUILD=$(CURDIR)/$(B) bash bench/inflight
	WRIT_BUILD=$(CURDIR)/$(B) bash bench/daemons

clean:
	rm -rf build build-san build-fuzz build-deb
