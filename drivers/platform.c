/* SPDX-License-Identifier: MIT */
#include "drivers/debug_exit.h"
#include "drivers/doorbell_page.h"
#include "drivers/fw_cfg.h"
#include "drivers/misc_ports.h"
#include "drivers/pc_testdev.h"
#include "drivers/pci_host.h"
#include "drivers/pit.h"
#include "drivers/platform.h"
#include "drivers/pm_timer.h"
#include "drivers/rtc.h"
#include "drivers/uart16550.h"
#include "kernel/config.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

struct pc_platform {
	struct debug_exit *debug_exit;
	struct uart16550 *com1;
	struct fw_cfg *fw_cfg;
	struct pc_testdev *testdev;
	struct pit *pit;
	struct rtc *rtc;
	struct acpi_pm *pm;
	struct pci_host *pci;
	struct misc_ports *misc;
	struct doorbell_page *doorbells;
};

/*
 * Platforms by VM id; the lock guards the table, not the devices. A device
 * found by a lookup stays valid until pc_platform_destroy(), which the kernel
 * calls only after it stopped the VM and its console input.
 */
static spinlock_t platforms_lock = SPINLOCK_INIT;
static struct pc_platform *platforms[CONFIG_MAX_VMS];

static void platform_free(struct pc_platform *p)
{
	doorbell_page_destroy(p->doorbells);
	misc_ports_destroy(p->misc);
	pci_host_destroy(p->pci);
	acpi_pm_destroy(p->pm);
	rtc_destroy(p->rtc);
	pit_destroy(p->pit);
	pc_testdev_destroy(p->testdev);
	fw_cfg_destroy(p->fw_cfg);
	uart16550_destroy(p->com1);
	debug_exit_destroy(p->debug_exit);
	kfree(p);
}

/* The PC chipset devices a full OS (Linux) probes: timers, RTC, ACPI PM, PCI, legacy ports. */
static int platform_create_pc_devices(struct vm *vm, struct pc_platform *p)
{
	int ret;

	ret = pit_create(vm, &p->pit);
	if (ret < 0)
		return ret;
	ret = rtc_create(vm, &p->rtc);
	if (ret < 0)
		return ret;
	ret = acpi_pm_create(vm, &p->pm);
	if (ret < 0)
		return ret;
	ret = pci_host_create(vm, &p->pci);
	if (ret < 0)
		return ret;
	return misc_ports_create(vm, &p->misc);
}

static int platform_create_devices(struct vm *vm, struct pc_platform *p)
{
	int ret;

	ret = debug_exit_create(vm, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, &p->debug_exit);
	if (ret < 0)
		return ret;
	ret = uart16550_create(vm, UART16550_COM1_BASE, UART16550_COM1_GSI, &p->com1);
	if (ret < 0)
		return ret;
	ret = fw_cfg_create(vm, &p->fw_cfg);
	if (ret < 0)
		return ret;
	ret = pc_testdev_create(vm, &p->testdev);
	if (ret < 0)
		return ret;
	ret = doorbell_page_create(vm, &p->doorbells);
	if (ret < 0)
		return ret;
	return platform_create_pc_devices(vm, p);
}

static int platform_publish(unsigned id, struct pc_platform *p)
{
	int ret = 0;

	spin_lock(&platforms_lock);
	if (platforms[id])
		ret = -TERN_EBUSY;
	else
		platforms[id] = p;
	spin_unlock(&platforms_lock);
	return ret;
}

int pc_platform_init(struct vm *vm)
{
	unsigned id = vm_id(vm);
	struct pc_platform *p;
	int ret;

	if (id >= CONFIG_MAX_VMS)
		return -TERN_EINVAL;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -TERN_ENOMEM;
	ret = platform_create_devices(vm, p);
	if (ret == 0)
		ret = platform_publish(id, p);
	if (ret < 0)
		platform_free(p);
	return ret;
}

void pc_platform_destroy(struct vm *vm)
{
	unsigned id = vm_id(vm);
	struct pc_platform *p;

	if (id >= CONFIG_MAX_VMS)
		return;
	spin_lock(&platforms_lock);
	p = platforms[id];
	platforms[id] = NULL;
	spin_unlock(&platforms_lock);
	if (p)
		platform_free(p);
}

struct uart16550 *pc_platform_com1(struct vm *vm)
{
	unsigned id = vm_id(vm);
	struct uart16550 *u = NULL;

	if (id >= CONFIG_MAX_VMS)
		return NULL;
	spin_lock(&platforms_lock);
	if (platforms[id])
		u = platforms[id]->com1;
	spin_unlock(&platforms_lock);
	return u;
}

struct fw_cfg *pc_platform_fw_cfg(struct vm *vm)
{
	unsigned id = vm_id(vm);
	struct fw_cfg *fw = NULL;

	if (id >= CONFIG_MAX_VMS)
		return NULL;
	spin_lock(&platforms_lock);
	if (platforms[id])
		fw = platforms[id]->fw_cfg;
	spin_unlock(&platforms_lock);
	return fw;
}
