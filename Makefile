# SPDX-License-Identifier: GPL-2.0
# Paravirtual guest modules. Kbuild does the work; this is a thin wrapper.
#   make                 build the modules for the running kernel
#   make KDIR=<tree>     ... for another kernel's build tree or headers
#   make install         install to /lib/modules/<release>/updates, depmod
#                        (INSTALL_MOD_PATH=<root> installs under <root>)
#   make check           the whole test suite (every QEMU lane)
#   make check-<lane>    one lane: style kunit stock-6.1 stock-6.12 xen
#   make demo            a stock guest with every module loaded, each
#                        one's scenario run (demo/<module>/demo.sh)
#   make shell           the same guest, with a shell on this terminal
#   make style           checkpatch --strict
#   make sparse          sparse on every module (C=2)
#   make install DESTDIR=<root>  as make install, under <root>
#   make install-dkms    the module sources and dkms.conf to
#                        $(DESTDIR)/usr/src/pvguest-<version>, for dkms
#   make install-host    pvhostd, pvctl, their man pages, unit and config
#   make tools           the guest's user command, pvnumactl (libnuma-dev)
#   make install-tools   pvnumactl and its man page (DESTDIR, PREFIX)
#   make install-lib     pvlock.h and its ABI header to
#                        $(DESTDIR)$(PREFIX)/include/pvguest (PREFIX /usr)
#   make deb             the pvguest-dkms and pvhostd Debian packages, built
#                        in a copy of the tree under DEBDIR (/tmp/pvguest-deb)

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)
LANES := style harness host package kunit stock-6.1 stock-6.12 xen

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	$(if $(wildcard selftests/Makefile),$(MAKE) -C selftests clean)
	$(MAKE) -C tools/pvnumactl clean

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=updates \
		$(if $(INSTALL_MOD_PATH),INSTALL_MOD_PATH=$(INSTALL_MOD_PATH)) modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) \
		$(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null || uname -r)

check:
	bash tests/run.sh

$(addprefix check-,$(LANES)):
	bash tests/run.sh $(@:check-%=%)

demo:
	bash tests/demo.sh

shell:
	bash tests/demo.sh --shell

style:
	bash tests/run.sh style

sparse:
	$(MAKE) -C $(KDIR) M=$(PWD) C=2 CHECK=sparse W=1 modules

selftests:
	$(MAKE) -C selftests

# Packaging. DESTDIR is the packagers' name for INSTALL_MOD_PATH.
VERSION := $(shell cat $(CURDIR)/VERSION)
INSTALL_MOD_PATH ?= $(DESTDIR)
DEBDIR ?= $(or $(TMPDIR),/tmp)/pvguest-deb
# The module folders, as the top-level Kbuild lists them.
MODULE_DIRS := $(patsubst %/,%,$(shell sed -n 's|^obj-m += \([^ ]*\)/$$|\1|p' Kbuild))
DKMS_SRC = $(DESTDIR)/usr/src/pvguest-$(VERSION)

# Sources only: the modules, compat/, include/ and the build files.
install-dkms:
	install -d $(DKMS_SRC)
	find Kbuild Kconfig Makefile VERSION compat include $(MODULE_DIRS) \
		-type f \( -name '*.[chS]' -o -name '*.mk' -o -name Kbuild -o -name Kconfig \
		-o -name .kunitconfig -o -name Makefile -o -name VERSION \) \
		! -name '*.mod.c' \
		-print0 | xargs -0 tar -cf - | tar -xf - -C $(DKMS_SRC)
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf

install-host:
	$(MAKE) -C pvhostd install

tools:
	$(MAKE) -C tools/pvnumactl

install-tools:
	$(MAKE) -C tools/pvnumactl install

# The user-space lock library of pvspinlock: header-only.
PREFIX ?= /usr
install-lib:
	install -d $(DESTDIR)$(PREFIX)/include/pvguest/linux
	install -m 0644 pvspinlock/lib/pvlock.h $(DESTDIR)$(PREFIX)/include/pvguest/
	install -m 0644 include/uapi/linux/pvspinlock.h \
		$(DESTDIR)$(PREFIX)/include/pvguest/linux/

# A copy of the tree (the files git knows, or all but .git), then
# dpkg-buildpackage there: packages and build output stay out of the checkout.
deb:
	rm -rf $(DEBDIR)/pvguest-$(VERSION)
	mkdir -p $(DEBDIR)/pvguest-$(VERSION)
	{ git ls-files -z -co --exclude-standard 2>/dev/null || \
		find . -path ./.git -prune -o -type f -print0; } | \
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null | \
		tar -xf - -C $(DEBDIR)/pvguest-$(VERSION)
	cd $(DEBDIR)/pvguest-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls -1 $(DEBDIR)/*_$(VERSION)*.deb

.PHONY: install-dkms install-host install-lib install-tools tools deb

.PHONY: all modules clean install check $(addprefix check-,$(LANES)) demo shell style sparse selftests
