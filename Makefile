# SPDX-License-Identifier: GPL-2.0
# Paravirtual guest modules. Kbuild does the work; this is a thin wrapper.
#   make                 build the modules for the running kernel
#   make KDIR=<tree>     ... for another kernel's build tree or headers
#   make install         install to /lib/modules/<release>/updates, depmod
#                        (INSTALL_MOD_PATH=<root> installs under <root>)
#   make check           the whole test suite (every QEMU lane)
#   make check-<lane>    one lane: style kunit stock-6.1 stock-6.12 xen
#   make demo            a stock guest with every module loaded
#   make style           checkpatch --strict
#   make sparse          sparse on every module (C=2)

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)
LANES := style harness host kunit stock-6.1 stock-6.12 xen

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	$(MAKE) -C selftests clean

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=updates modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) \
		$(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null || uname -r)

check:
	bash tests/run.sh

$(addprefix check-,$(LANES)):
	bash tests/run.sh $(@:check-%=%)

demo:
	bash tests/demo.sh

style:
	bash tests/run.sh style

sparse:
	$(MAKE) -C $(KDIR) M=$(PWD) C=2 CHECK=sparse W=1 modules

selftests:
	$(MAKE) -C selftests

.PHONY: all modules clean install check $(addprefix check-,$(LANES)) demo style sparse selftests
