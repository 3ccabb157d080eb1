/* SPDX-License-Identifier: MIT */
/*
 * The emulated PC devices on one fake VM (tests/unit/fake_vm_services.c
 * dispatches ports and MMIO to what each device registered): 16550A UART,
 * fw_cfg, pc-testdev, PIT, RTC/CMOS, PCI host bridge, the misc legacy
 * ports (POST, port 92, keyboard controller) and the ACPI PM registers. The input is a sequence of port writes/reads of every size on
 * all their ports (and neighbours), pc-testdev MMIO, bytes arriving on the
 * serial line, and time passing with the PIT/RTC deadline checks.
 *
 * Invariants (device datasheets, the drivers/ headers):
 *  - every interrupt a device raises goes through set_irq with a source id
 *    < 64, level 0 or 1, on its own GSI (UART 4, PIT 0, RTC 8, SCI 9,
 *    pc-testdev 0-23);
 *  - uart16550_rx returns 0 or -TERN_ENOSPC (set_irq succeeds here);
 *  - after pit_check(now) / rtc_check(now), the next deadline is 0 or
 *    later than now;
 *  - fw_cfg: selecting key 0 always restarts the signature "QEMU";
 *  - PCI: CONFIG_ADDRESS reads back what was written, bits 1:0 aside;
 *  - the console record never overflows.
 */
#include <tern/errno.h>
#include "drivers/fw_cfg.h"
#include "drivers/misc_ports.h"
#include "drivers/pc_testdev.h"
#include "drivers/pci_host.h"
#include "drivers/pit.h"
#include "drivers/pm_timer.h"
#include "drivers/rtc.h"
#include "drivers/uart16550.h"
#include "irq/irq.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

#define MAX_OPS 400

static const u16 ports[] = {
	0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x3f8, 0x3f9, 0x3fb, 0x3fd,
	0x510, 0x511, 0x510, 0x511, 0x50f, 0x512,
	0xe0, 0xe4, 0xe8, 0xe1, 0xe2, 0xe3, 0x2000, 0x2001, 0x2017, 0x2018, 0xdf, 0xec,
	0x40, 0x41, 0x42, 0x43, 0x61, 0x40, 0x43, 0x42,
	0x70, 0x71, 0x70, 0x71,
	0xcf8, 0xcf9, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0xcf8, 0xcfc,
	0x80, 0x92, 0x60, 0x64, 0x600, 0x601, 0x602, 0x604, 0x605, 0x608, 0x60b,
};
#define NR_PORTS (sizeof(ports) / sizeof(ports[0]))

static const u8 file_data[] = "fw_cfg file contents for the fuzzer";
static struct uart16550 *uart;
static struct fw_cfg *fw;

/* What drivers/platform.c would answer (the platform is not linked here). */
struct uart16550 *pc_platform_com1(struct vm *vm) { (void)vm; return uart; }
struct fw_cfg *pc_platform_fw_cfg(struct vm *vm) { (void)vm; return fw; }

static void check_irqs(void)
{
	for (unsigned i = 0; i < fake.nr_irq_calls; i++) {
		const struct fake_irq_call *c = &fake.irq_calls[i];

		FUZZ_CHECK(c->source_id < IRQ_SOURCE_ID_MAX && (c->level == 0 || c->level == 1) &&
			   (c->gsi == UART16550_COM1_GSI || c->gsi == PIT_GSI || c->gsi == RTC_GSI ||
			    c->gsi < PC_TESTDEV_NR_IRQS), "set_irq(src %u, gsi %u, level %d)",
			   c->source_id, c->gsi, c->level);
	}
	fake.nr_irq_calls = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct vm *vm;
	struct pc_testdev *td;
	struct misc_ports *mp;
	struct acpi_pm *pm;
	struct pit *pit;
	struct rtc *rtc;
	struct pci_host *ph;

	fake_vm_reset();
	vm = stub_vm_new(1);
	if (!vm)
		abort();
	stub_clock = 1000000;
	FUZZ_CHECK(uart16550_create(vm, UART16550_COM1_BASE, UART16550_COM1_GSI, &uart) == 0, "uart");
	FUZZ_CHECK(fw_cfg_create(vm, &fw) == 0, "fw_cfg");
	FUZZ_CHECK(fw_cfg_add_file_to(fw, "etc/fuzz", file_data, sizeof(file_data)) >= 0x20, "file");
	FUZZ_CHECK(pc_testdev_create(vm, &td) == 0, "pc_testdev");
	FUZZ_CHECK(pit_create(vm, &pit) == 0, "pit");
	FUZZ_CHECK(rtc_create(vm, &rtc) == 0, "rtc");
	FUZZ_CHECK(pci_host_create(vm, &ph) == 0, "pci_host");
	FUZZ_CHECK(misc_ports_create(vm, &mp) == 0, "misc_ports");
	FUZZ_CHECK(acpi_pm_create(vm, &pm) == 0, "acpi_pm");
	for (unsigned op = 0; op < MAX_OPS && fin_more(&in); op++) {
		switch (fin_u8(&in) % 10) {
		case 0: case 1: case 2: {   /* OUT */
			u16 port = ports[fin_u8(&in) % NR_PORTS];
			unsigned sz = fin_size(&in, false);
			u32 val = fin_u8(&in) & 0x80 ? fin_u32(&in) : fin_u8(&in);

			if (sz == 3)
				sz = 1;
			fake_pio(vm, port, sz, false, &val);
			break;
		}
		case 3: case 4: {           /* IN */
			u16 port = ports[fin_u8(&in) % NR_PORTS];
			unsigned sz = fin_size(&in, false);
			u32 val;

			if (sz == 3)
				sz = 1;
			fake_pio(vm, port, sz, true, &val);
			break;
		}
		case 5: {                   /* pc-testdev MMIO */
			u64 gpa = PC_TESTDEV_IOMEM_BASE + (fin_u16(&in) % (PC_TESTDEV_IOMEM_SIZE + 8));
			unsigned sz = fin_size(&in, true);
			u64 val = fin_u32(&in);

			if (sz == 3)
				sz = 4;
			fake_mmio(vm, gpa, sz, fin_u8(&in) & 1, &val);
			break;
		}
		case 6: {                   /* serial input */
			int rc = uart16550_rx(uart, fin_u8(&in));

			FUZZ_CHECK(rc == 0 || rc == -TERN_ENOSPC, "uart rx %d", rc);
			break;
		}
		case 7: {                   /* time passes */
			u64 now;

			stub_clock += fin_u8(&in) & 1 ? fin_u16(&in) : (u64)fin_u32(&in) * 16;
			now = stub_clock;
			pit_check(vm, now);
			rtc_check(vm, now);
			{
				u64 p = pit_next_deadline(vm), r = rtc_next_deadline(vm);

				FUZZ_CHECK(p == 0 || p > now, "PIT deadline %llu <= now %llu",
					   (unsigned long long)p, (unsigned long long)now);
				FUZZ_CHECK(r == 0 || r > now, "RTC deadline %llu <= now %llu",
					   (unsigned long long)r, (unsigned long long)now);
			}
			break;
		}
		case 8: {                   /* fw_cfg signature */
			char sig[4];

			fake_out(vm, FW_CFG_PORT_SEL, 2, 0);
			for (unsigned i = 0; i < 4; i++)
				sig[i] = (char)fake_in(vm, FW_CFG_PORT_DATA, 1);
			FUZZ_CHECK(!memcmp(sig, "QEMU", 4), "fw_cfg signature %.4s", sig);
			break;
		}
		default: {                  /* PCI CONFIG_ADDRESS */
			u32 v = fin_u32(&in) | 0x80000000u;
			u32 got;

			fake_out(vm, PCI_PORT_CONFIG_ADDRESS, 4, v);
			got = fake_in(vm, PCI_PORT_CONFIG_ADDRESS, 4);
			FUZZ_CHECK((got & 0x80fffffcu) == (v & 0x80fffffcu), "CONFIG_ADDRESS 0x%08x "
				   "reads 0x%08x", v, got);
			break;
		}
		}
		check_irqs();
		FUZZ_CHECK(fake.console_len <= FAKE_CONSOLE_MAX, "console overflow");
		if (fake.console_len > FAKE_CONSOLE_MAX / 2) {
			fake.console_len = 0;
			fake.console[0] = '\0';
		}
	}
	acpi_pm_destroy(pm);
	misc_ports_destroy(mp);
	pci_host_destroy(ph);
	rtc_destroy(rtc);
	pit_destroy(pit);
	pc_testdev_destroy(td);
	fw_cfg_destroy(fw);
	uart16550_destroy(uart);
	stub_vm_free(vm);
	return 0;
}
