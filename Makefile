# shype: top-level build.  `make` builds user space and shype.ko;
# `make check` runs every test; `make demo` plays the sHype scenario.
# Sources are found by wildcard: add a .c file and it is built.

CC        ?= cc
CLANG     ?= clang
KVER      ?= 6.1.0-56-amd64
KDIR      ?= /lib/modules/$(KVER)/build
B         := build
FUZZ_SECONDS ?= 60

# Installation (GNU conventions; DESTDIR for staging).  Files outside
# PREFIX (/etc, the module tree) are where the system looks for them.
PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
LIBDIR    ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
MODDIR    ?= /lib/modules/$(KVER)/updates
DESTDIR   ?=
LIBVERSION := 0.1.0
SONAME    := libshype.so.0

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC \
	     $(shell pkg-config --cflags json-c 2>/dev/null)
JSON_LIBS := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)
# shypectl's domain, hook and daemon commands speak to libvirt.  Expanded
# when used, not when make starts: on a fresh machine `make demo` installs
# libxml2-dev (deps) after make has started.
CTL_CFLAGS = $(shell pkg-config --cflags libvirt libxml-2.0 audit 2>/dev/null)
CTL_LIBS  = $(shell pkg-config --libs libvirt libxml-2.0 audit 2>/dev/null || \
	       echo -lvirt -lxml2 -laudit)
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all

CORE_SRC  := $(wildcard kmod/core/*.c)
LIB_SRC   := $(wildcard libshype/*.c)
CTL_SRC   := $(wildcard shypectl/*.c)
IVS_SRC   := $(wildcard tools/ivshmem-server/*.c)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
HDRS      := $(wildcard include/uapi/linux/*.h kmod/core/*.h libshype/*.h \
	       shypectl/*.h tests/unit/*.h tools/*/*.h)

LIB_OBJ   := $(patsubst %.c,$(B)/%.o,$(CORE_SRC) $(LIB_SRC))
# Not build/shypectl/*.o: build/shypectl is the binary.
CTL_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(CTL_SRC))
IVS_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(IVS_SRC))
UNIT_BIN  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
ASAN_BIN  := $(patsubst tests/unit/%.c,$(B)/asan/%,$(UNIT_SRC))
ASAN_LIB  := $(patsubst %.c,$(B)/asan/%.o,$(CORE_SRC) $(LIB_SRC))
FUZZ_BIN  := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
POLICIES  := $(wildcard policies/*.json)

.PHONY: all user module check deps unit asan fuzz policies format format-check \
	checkpatch vm-check vm-shell demo bench soak clean cli-test install \
	install-user install-module install-test e2e-libvirt e2e-migrate e2e-check \
	e2e-shell vm-check-next e2e-check-next fresh-check asan-cli qemu e2e-qemu \
	e2e-libvirt-qemu
.DELETE_ON_ERROR:

all: user module

user: $(B)/libshype.a $(B)/$(SONAME) $(B)/shypectl $(B)/shype-ivshmem-server

$(B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CTL_CFLAGS) -c -o $@ $<

$(B)/libshype.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

# The shared library: libshype.so.0 is its soname, bumped on an ABI break.
# It exports its API only (libshype.map).
LIB_MAP   := libshype/libshype.map
$(B)/$(SONAME): $(LIB_OBJ) $(LIB_MAP)
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=$(LIB_MAP) -o $@ $(LIB_OBJ) $(JSON_LIBS)

# shypectl links libshype statically: it runs from the build tree too.
$(B)/shypectl: $(CTL_OBJ) $(B)/libshype.a
	$(CC) $(CFLAGS) -o $@ $^ $(JSON_LIBS) $(CTL_LIBS)


$(B)/shype-ivshmem-server: $(IVS_OBJ) $(B)/libshype.a
	$(CC) $(CFLAGS) -o $@ $^ $(JSON_LIBS)

# Unit tests: each tests/unit/test_X.c is one cmocka binary.
$(B)/tests/%: tests/unit/%.c $(B)/libshype.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libshype.a $(JSON_LIBS) -lcmocka

$(B)/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(B)/asan/%: tests/unit/%.c $(ASAN_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(ASAN_LIB) $(JSON_LIBS) -lcmocka

# Fuzzers: clang's libFuzzer with ASan and UBSan, over the same sources.
$(B)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(LIB_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -g -O1 -D_GNU_SOURCE -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(CORE_SRC) $(LIB_SRC) $(JSON_LIBS)

deps:
	@scripts/deps.sh

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; (cd tests/unit && ../../$$t); done

asan: $(ASAN_BIN)
	@set -e; for t in $(ASAN_BIN); do echo "== $$t (ASan+UBSan)"; \
		(cd tests/unit && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ../../$$t); done

# The CLI tests against a shypectl built with ASan and UBSan, in its own
# build directory: they reach the parsers of files that unit tests do not.
asan-cli:
	@CFLAGS="$(SAN_FLAGS)" $(MAKE) -s B=$(B)/asan-cli $(B)/asan-cli/shypectl
	@ASAN_OPTIONS=detect_leaks=0 tests/cli/test_cli.sh $(B)/asan-cli/shypectl

fuzz: $(FUZZ_BIN)
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# The command line's behaviour: exit codes and exact outputs.
cli-test: $(B)/shypectl $(B)/shype-ivshmem-server
	@tests/cli/test_cli.sh $(B)/shypectl
	@echo "== shype-ivshmem-server (protocol and label check, no kernel)"
	@python3 tests/cli/test_ivshmem_server.py $(B)/shype-ivshmem-server \
		$(B)/shypectl policies/figure2.json

# Every example policy must compile.
policies: $(B)/shypectl
	@set -e; for p in $(POLICIES); do \
		echo "== policy $$p"; \
		$(B)/shypectl policy compile $$p -o $(B)/$$(basename $$p .json).bin; done

# Without pahole, Linux 6.12's build of the module's BTF (debugging
# information only) fails: skip it.
KBUILD_FLAGS := $(if $(shell command -v pahole),,CONFIG_DEBUG_INFO_BTF_MODULES=)

module:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_FLAGS) modules; \
	else echo "no kernel headers at $(KDIR): run scripts/deps.sh"; exit 1; fi

FORMAT_SRC = $(filter-out tests/vm/kselftest_harness.h,\
	     $(CORE_SRC) $(LIB_SRC) $(CTL_SRC) $(IVS_SRC) $(UNIT_SRC) $(FUZZ_SRC) $(HDRS) \
	     $(wildcard kmod/*.c kmod/*.h tests/vm/*.c tests/vm/*.h tests/e2e/guest/*.c tests/e2e/probe/*.c))
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "format: ok"

checkpatch:
	@scripts/checkpatch.sh

# Then a short second boot with shype.ko loaded with require_policy=1
# (it cannot be unloaded), for the tests of failing closed; and a third
# without it, for the tests that load it after VMs and modules.
vm-check: all
	@tests/vm/run.sh --kver $(KVER)
	@SHYPE_VM_APPEND="$(SHYPE_VM_APPEND) shype.require_policy=1" \
		tests/vm/run.sh --kver $(KVER) --filter require_policy
	@SHYPE_VM_APPEND="$(SHYPE_VM_APPEND) shype_load=no" \
		tests/vm/run.sh --kver $(KVER) --filter late_load

# The same on the next Debian kernel, bookworm-backports' (headers and
# image fetched into ~/.cache/shype/kernel, module built in build/).
KVER_NEXT ?= 6.12.95+deb12-amd64
vm-check-next: user
	@scripts/other-kernel.sh $(KVER_NEXT)
	@SHYPE_VM_APPEND="$(SHYPE_VM_APPEND) shype.require_policy=1" \
		scripts/other-kernel.sh $(KVER_NEXT) --filter require_policy
	@SHYPE_VM_APPEND="$(SHYPE_VM_APPEND) shype_load=no" \
		scripts/other-kernel.sh $(KVER_NEXT) --filter late_load

bench: all
	@scripts/bench.sh --kver $(KVER) --runs $(or $(RUNS),1) \
		$(if $(ROUNDS),--rounds $(ROUNDS))

soak: all
	@tests/vm/run.sh --kver $(KVER) --soak

vm-shell: all
	@tests/vm/run.sh --kver $(KVER) --shell

# --- make install ---
install: install-user install-module

# Headers keep their relative includes, rewritten for one directory.
install-user: user
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR)/shype/core $(DESTDIR)$(INCLUDEDIR)/shype/uapi \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/libvirt/hooks $(DESTDIR)$(SYSCONFDIR)/shype
	install -m 755 $(B)/shypectl $(DESTDIR)$(SBINDIR)/shypectl
	install -m 755 $(B)/shype-ivshmem-server \
		$(DESTDIR)$(SBINDIR)/shype-ivshmem-server
	install -m 755 $(B)/$(SONAME) $(DESTDIR)$(LIBDIR)/libshype.so.$(LIBVERSION)
	ln -sf libshype.so.$(LIBVERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libshype.so
	install -m 644 $(B)/libshype.a $(DESTDIR)$(LIBDIR)/libshype.a
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(LIBVERSION)|' \
	    libshype/libshype.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/libshype.pc
	sed 's|"../kmod/core/policy.h"|"core/policy.h"|' libshype/shype.h \
		>$(DESTDIR)$(INCLUDEDIR)/shype/shype.h
	for h in kmod/core/*.h; do \
		sed 's|"../../include/uapi/linux/shype.h"|"../uapi/shype.h"|' $$h \
			>$(DESTDIR)$(INCLUDEDIR)/shype/core/$${h##*/} || exit 1; done
	install -m 644 include/uapi/linux/shype.h $(DESTDIR)$(INCLUDEDIR)/shype/uapi/shype.h
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 completion/shypectl $(DESTDIR)$(BASHCOMPDIR)/shypectl
	for u in systemd/*.service; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' $$u \
			>$(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; done
	for d in libvirtd virtqemud; do \
		install -d $(DESTDIR)$(UNITDIR)/$$d.service.d && \
		sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/libvirt-dropin.conf \
			>$(DESTDIR)$(UNITDIR)/$$d.service.d/shype.conf || exit 1; done
	ln -sf $(SBINDIR)/shypectl $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/qemu
	[ -e $(DESTDIR)$(SYSCONFDIR)/shype/policy.json ] || \
		install -m 644 policies/minimal.json $(DESTDIR)$(SYSCONFDIR)/shype/policy.json
	[ -e $(DESTDIR)$(SYSCONFDIR)/shype/shype.conf ] || \
		install -m 644 etc/shype.conf $(DESTDIR)$(SYSCONFDIR)/shype/shype.conf

# depmod only on the live tree: a staged tree is depmod'ed by its user.
install-module: module
	install -d $(DESTDIR)$(MODDIR)
	install -m 644 shype.ko $(DESTDIR)$(MODDIR)/shype.ko
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); \
	else echo "install: DESTDIR set, run 'depmod -b DIR $(KVER)' there"; fi

install-test: all
	@tests/install/test_install.sh

# libvirt in a debootstrapped test host (image cached in ~/.cache/shype);
# its domains run Debian's QEMU, or SHYPE_QEMU when set
# (make e2e-libvirt SHYPE_QEMU=PATH).  e2e-libvirt-qemu: with the QEMU of
# qemu-patches/.
e2e-libvirt: all
	@tests/e2e-libvirt/run.sh --kver $(KVER)

e2e-libvirt-qemu: all qemu
	@SHYPE_QEMU=$$(scripts/qemu.sh) tests/e2e-libvirt/run.sh --kver $(KVER)

# Live migration between two libvirt test hosts, save and restore
# (tests/e2e-migrate), about 7 minutes: two hosts of 1.25 GiB each.
e2e-migrate: all
	@tests/e2e-libvirt/run.sh --migrate --kver $(KVER)

# Real QEMU VMs in the test host (tests/e2e): ivshmem, memslots, vhost-net,
# the Chinese Wall, process channels, disk images; e2e-check-next on
# KVER_NEXT.
e2e-check: all
	@tests/e2e/run.sh --kver $(KVER)

# QEMU with qemu-patches/ (Debian's qemu source, x86_64-softmmu), built
# and cached in ~/.cache/shype/qemu by the series' hash; prints its path.
# SHYPE_QEMU_VERSION=1:10.0.13+ds-0+deb13u1: trixie's, qemu-patches/10.0/.
qemu:
	@scripts/deps.sh qemu
	@scripts/qemu.sh

# The e2e test of that QEMU (tests/e2e/e2e_qemu_patched.sh), beside stock.
e2e-qemu: all qemu
	@SHYPE_QEMU=$$(scripts/qemu.sh) tests/e2e/run.sh --kver $(KVER) \
		--filter e2e_qemu_patched.sh

e2e-check-next: user
	@scripts/other-kernel.sh $(KVER_NEXT) --e2e

e2e-shell: all
	@tests/e2e/run.sh --kver $(KVER) --shell

check: deps
	$(MAKE) format-check
	$(MAKE) user
	$(MAKE) policies
	$(MAKE) cli-test
	$(MAKE) unit
	$(MAKE) asan
	$(MAKE) asan-cli
	$(MAKE) fuzz
	$(MAKE) checkpatch
	$(MAKE) module
	$(MAKE) install-test
	$(MAKE) vm-check
	$(MAKE) vm-check-next
	$(MAKE) qemu
	SHYPE_QEMU=$$(scripts/qemu.sh) $(MAKE) e2e-check
	SHYPE_QEMU=$$(scripts/qemu.sh) $(MAKE) e2e-check-next
	SHYPE_QEMU=$$(scripts/qemu.sh) $(MAKE) e2e-libvirt
	$(MAKE) e2e-migrate
	@echo "make check: all passed"

# deps first, in its own step: what it installs must be there before
# anything is built.
# The README's first command in a pristine Debian 12 root, with empty
# caches, as a new user runs it (scripts/fresh-check.sh).
fresh-check: deps
	@scripts/fresh-check.sh

demo: deps
	@$(MAKE) -s user module
	@scripts/demo.sh

clean:
	rm -rf $(B)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
