/* SPDX-License-Identifier: MIT */
/*
 * hostile: a seeded, reproducible random attacker. For ops=N iterations
 * (default 100000) it picks one of: port IN/OUT over the whole port
 * space, MMIO to the vIOAPIC, the vLAPIC and pc-testdev at random
 * offsets/widths/values, RDMSR/WRMSR, hypercalls with random numbers,
 * arguments and guest pointers, CR0/CR3/CR4/XCR0 writes, IPI storms
 * through the LAPIC ICR, GSI routing requests and doorbell calls. tern
 * must neither panic nor hang; the guest itself must keep running.
 *
 * Replay: the same seed and ops give the same sequence of operations
 * (docs/security.md). Command line:
 *   seed=N       PRNG seed (default 1)
 *   ops=N        operations (default 100000)
 *   mode=fuzz    the loop above (default), then exit 0 (status 1)
 *   mode=oob     the loop, then one read outside RAM and devices: tern
 *                must stop the VM (status 255)
 *   mode=triple  the loop, then a deliberate triple fault (status 255)
 *   mode=init    the loop, then INIT to itself: the BSP restarts at the
 *                reset vector, which is not RAM: tern stops the VM (255)
 *   mode=cf9 | mode=p92 | mode=kbc | mode=s5   the loop, then the reset
 *                (a warm reset: tern reboots the VM; the guest leaves a mark in
 *                CMOS first, and the second boot finds it, says so and passes)
 *                or power-off the main loop skips: 0xcf9 <- 6, port 0x92
 *                bit 0, 8042 command 0xfe, PM1a SLP_TYP=S5|SLP_EN: tern
 *                ends the VM with status 0 (docs/security.md)
 *   x2apic=1     switch the vLAPIC to x2APIC mode first: IPIs through the
 *                ICR MSR, and half the MSR operations in 0x800-0x8ff
 *   trace=N      print each operation from the Nth on (to find the one that hurts)
 *   mode=apspin  no loop: APIC 1 spins (jmp $) while this vCPU does ops
 *                hypercalls (needs VCPUS >= 2)
 *   mode=console no loop: ops CONSOLE_WRITEs of 4096 bytes (output flood)
 *   mode=limits  no loop: hit each per-VM limit (doorbells, routing
 *                entries, routing size) and check the errors
 *
 * What the loop deliberately avoids (each would end this VM, which is
 * allowed but ends the run early; see docs/security.md):
 *   - ports 0xf4-0xf7 (isa-debug-exit), 0xcf9, 0x92, 0x60/0x64, 0x604-0x605
 *     (resets, power-off: tested by the modes above), and writes to COM1
 *     (0x3f8-0x3ff: they would garble or silence this guest's own console);
 *   - INIT and SIPI to APIC ID 0 from any source (ICR, IOAPIC redirection,
 *     LVTs, MSI data, KVM_HC_SEND_IPI): INIT restarts the BSP at the
 *     reset vector, outside RAM. INIT/SIPI go to APIC ID 1 instead: a
 *     second vCPU, if there is one, runs a halt stub planted at every
 *     possible SIPI page;
 *   - APIC_BASE writes (relocating or switching the vLAPIC off);
 *   - CR0.PE=0 or CR0.PG=1 (this guest runs flat, paging off), debug
 *     registers (a breakpoint would trap outside the recovery helper);
 *   - RFLAGS.IF=1: interrupts stay pending; NMIs are taken and counted;
 *   - hypercalls writing into this guest's own image: write pointers are
 *     inside a scratch buffer, beyond RAM, straddling its end or wrapping.
 */
#include "lib/guest.h"
#include "kernel/limits.h"
#include "lib/irqtest.h"
#include "lib/cmos.h"

#define DEFAULT_OPS        100000u
#define PROGRESS_EVERY     10000u
#define HC_TERN_SPAN       0x30u         /* tern numbers the random calls aim at: base .. base + span */
#define ARG_MAX            32

#define LAPIC_PAGE         0x1000u
#define IOAPIC_PAGE        0x1000u
#define IOAPIC_IOREGSEL    0x00u
#define IOAPIC_IOWIN       0x10u
#define TESTDEV_MMIO       0xff000000u
#define TESTDEV_MMIO_SIZE  0x10000u
#define OOB_ADDR           0xf0000000u   /* no RAM (RAM ends far below), no device */

#define PORT_SPACE         0x10000u
#define DEBUG_EXIT_BASE    0xf4u
#define DEBUG_EXIT_LEN     4u
#define PCI_RESET_PORT     0xcf9u
#define SYSCTL_A_PORT      0x92u
#define KBC_DATA_PORT      0x60u
#define KBC_CMD_PORT       0x64u
#define PM1A_CNT_PORT      0x604u
#define COM1_LEN           8u

#define KBC_CMD_RESET      0xfeu
#define PCI_RESET_HARD     0x06u
#define SYSCTL_A_RESET     0x01u
#define PM1_SLP_TYP_S5     (5u << 10)   /* tern's DSDT: \_S5 = 5 */
#define PM1_SLP_EN         (1u << 13)

#define DM_SHIFT           8
#define DM_MASK            7u
#define DM_FIXED           0u
#define DM_NMI             4u
#define DM_INIT            5u
#define DM_SIPI            6u
#define ICR_SH_SHIFT       18
#define ICR_SH_ALL_BUT     3u
#define ICR_DEST_SHIFT     24
#define AP_IDS             3u            /* INIT/SIPI go to APIC IDs 1..3 */

#define CR0_PE  (1u << 0)
#define CR0_MP  (1u << 1)
#define CR0_EM  (1u << 2)
#define CR0_TS  (1u << 3)
#define CR0_NE  (1u << 5)
#define CR0_WP  (1u << 16)
#define CR0_AM  (1u << 18)
#define CR0_NW  (1u << 29)
#define CR0_CD  (1u << 30)
#define CR0_RANDOM_BITS (CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD)
#define CR4_OSXSAVE (1u << 18)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define XCR0_X87   1u

#define SCRATCH_SIZE       (16u * 1024)
#define HC_WRITE_MAX       4096u         /* the most a hypercall writes (IRQ_DUMP) */
#define ROUTE_MAX_RANDOM   40u
#define LIVE_DOORBELLS     64u
#define SIPI_PAGES         256u
#define SIPI_PAGE_SIZE     0x1000u
#define MIB                0x100000u
#define FREE_RAM_START     (8u * MIB)    /* far above this image and its stack */

/*
 * Real-mode halt stub for the second vCPU, at every page a SIPI can name:
 * xor sp,sp; inc word [AP_COUNTER]; sti; hlt; jmp to the start. Every
 * start-up and every interrupt it takes (all IVT entries lead to 0:0) bumps
 * the counter.
 */
#define AP_COUNTER 0x500u   /* BIOS data area: unused by this guest */
static volatile uintptr_t ap_counter_addr = AP_COUNTER;   /* volatile: GCC warns on low constants */
static const u8 ap_stub[] = { 0x31, 0xe4, 0xff, 0x06, AP_COUNTER & 0xff, AP_COUNTER >> 8,
			      0xfb, 0xf4, 0xeb, 0xf6 };

enum op {
	OP_PIO, OP_MMIO_LAPIC, OP_MMIO_IOAPIC, OP_MMIO_TESTDEV, OP_RDMSR, OP_WRMSR,
	OP_HYPERCALL, OP_CR, OP_XSETBV, OP_IPI, OP_ROUTING, OP_DOORBELL, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"pio", "mmio-lapic", "mmio-ioapic", "mmio-testdev", "rdmsr", "wrmsr",
	"hypercall", "cr", "xsetbv", "ipi", "routing", "doorbell",
};

static u64 rng;
static u32 ram_end;
static u32 op_count[OP_COUNT];
static u32 faults;
static bool tracing;
static bool x2apic;           /* x2apic=1: the vLAPIC in x2APIC mode, ICR and registers by MSR */
static u32 violations;
static u32 nmi_lost;
static u32 live_db[LIVE_DOORBELLS];
static u8 scratch[SCRATCH_SIZE] __aligned(64);

/* ---------------------------------------------------------------- PRNG */

/* xorshift64*: small, good enough, and identical on every run for a seed. */
static u32 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (u32)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static u32 rnd_below(u32 n)
{
	return n ? rnd() % n : 0;
}

static bool rnd_chance(u32 one_in)
{
	return rnd_below(one_in) == 0;
}

static unsigned rnd_width(void)
{
	static const unsigned widths[] = { 1, 2, 4 };

	return widths[rnd_below(ARRAY_SIZE(widths))];
}

/* A value biased towards edges: 0, all ones, one bit, small, or random. */
static u32 rnd_value(void)
{
	switch (rnd_below(6)) {
	case 0: return 0;
	case 1: return ~0u;
	case 2: return 1u << rnd_below(32);
	case 3: return rnd_below(256);
	default: return rnd();
	}
}

/* --------------------------------------------------------- violations */

static void violation(const char *what, s32 got, s32 want)
{
	if (violations++ < 10)
		printf("# violation: %s returned %d, want %d\n", what, got, want);
}

/* -------------------------------------------------------------- ports */

static bool overlaps(u32 port, unsigned w, u32 base, u32 len)
{
	return port < base + len && base < port + w;
}

/* Ports that end or reset the VM (tested by the modes), and COM1 writes. */
static bool port_skipped(u32 port, unsigned w, bool out)
{
	return overlaps(port, w, DEBUG_EXIT_BASE, DEBUG_EXIT_LEN) ||
	       overlaps(port, w, PCI_RESET_PORT, 1) || overlaps(port, w, SYSCTL_A_PORT, 1) ||
	       overlaps(port, w, KBC_DATA_PORT, 1) || overlaps(port, w, KBC_CMD_PORT, 1) ||
	       overlaps(port, w, PM1A_CNT_PORT, 2) || port + w > PORT_SPACE ||
	       (out && overlaps(port, w, COM1_BASE, COM1_LEN));
}

static void op_pio(void)
{
	bool out = rnd_chance(2);
	unsigned w = rnd_width();
	u32 port, v = rnd_value();

	do
		port = rnd_chance(4) ? rnd_below(0x1000) : rnd_below(PORT_SPACE);
	while (port_skipped(port, w, out));
	if (out) {
		if (w == 1)
			outb((u16)port, (u8)v);
		else if (w == 2)
			outw((u16)port, (u16)v);
		else
			outl((u16)port, v);
	} else {
		if (w == 1)
			(void)inb((u16)port);
		else if (w == 2)
			(void)inw((u16)port);
		else
			(void)inl((u16)port);
	}
}

/* --------------------------------------------------------------- MMIO */
/*
 * Accesses stay inside each device's window: one that runs past its end
 * touches an address with neither RAM nor a device, and tern stops the VM
 * for that (mode=oob tests it on purpose).
 */

/* Never let a written byte select INIT or SIPI in an APIC delivery-mode field (bits 8-10). */
static u32 sanitize_dm(u32 off, unsigned w, u32 v)
{
	for (unsigned i = 0; i < w; i++) {
		u32 shift = 8 * i, b = (v >> shift) & 0xff;

		if ((off + i) % 4 == 1 && ((b & DM_MASK) == DM_INIT || (b & DM_MASK) == DM_SIPI))
			v &= ~(DM_MASK << shift);
	}
	return v;
}

static void mmio_access(u32 addr, unsigned w, bool write, u32 v)
{
	if (tracing)
		printf("hostile:   %s%u 0x%08x 0x%x\n", write ? "write" : "read", w * 8, addr, v);
	if (write) {
		if (w == 1)
			mmio_write8(addr, (u8)v);
		else if (w == 2)
			mmio_write16(addr, (u16)v);
		else
			mmio_write32(addr, v);
	} else {
		if (w == 1)
			(void)mmio_read8(addr);
		else if (w == 2)
			(void)mmio_read16(addr);
		else
			(void)mmio_read32(addr);
	}
}

static void op_mmio_lapic(void)
{
	bool write = rnd_chance(2);
	unsigned w = rnd_width();
	u32 off;

	if (rnd_chance(2))
		w = 4;
	do
		off = rnd_chance(2) ? rnd_below(LAPIC_PAGE / 16) * 16 : rnd_below(LAPIC_PAGE - w + 1);
	while (write && overlaps(off, w, LAPIC_ICR_LO, 4));   /* the ICR has its own op */
	mmio_access(LAPIC_BASE + off, w, write, sanitize_dm(off, w, rnd_value()));
}

static void op_mmio_ioapic(void)
{
	bool write = rnd_chance(2);
	unsigned w = rnd_width();
	u32 off = rnd_chance(2) ? rnd_below(IOAPIC_PAGE / 16) * 16 : rnd_below(IOAPIC_PAGE - w + 1);
	u32 v = rnd_value();

	if (write && rnd_chance(2))
		mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, rnd_below(0x40));
	if (write && overlaps(off, w, IOAPIC_IOWIN, 4)) {
		/* a redirection entry written through IOWIN: no INIT/SIPI delivery mode */
		mmio_write32(IOAPIC_BASE + IOAPIC_IOWIN, sanitize_dm(0, 4, v));
		return;
	}
	mmio_access(IOAPIC_BASE + off, w, write, v);
}

static void op_mmio_testdev(void)
{
	unsigned w = rnd_width();
	u32 off = rnd_chance(8) ? TESTDEV_MMIO_SIZE - w : rnd_below(TESTDEV_MMIO_SIZE - w + 1);

	mmio_access(TESTDEV_MMIO + off, w, rnd_chance(2), rnd_value());
}

/* --------------------------------------------------------------- MSRs */

static const u32 msr_pool[] = {
	0x10, 0x3a, 0x8b, 0x9e, 0xfe, 0x174, 0x175, 0x176, 0x179, 0x17a, 0x1a0, 0x1d9,
	0x200, 0x201, 0x20e, 0x20f, 0x250, 0x258, 0x259, 0x268, 0x277, 0x2ff, 0x480, 0x48d,
	0x6e0, 0x802, 0x803, 0x808, 0x80b, 0x80f, 0x830, 0x838, 0x83f,
	0xc0000080u, 0xc0000081u, 0xc0000082u, 0xc0000083u, 0xc0000084u, 0xc0000100u,
	0xc0000101u, 0xc0000102u, 0xc0000103u, 0x4b564d00u, 0x4b564d01u, 0x40000000u,
};

#define MSR_APIC_BASE_ 0x1bu

static u32 rnd_msr(void)
{
	if (x2apic && rnd_chance(2))
		return MSR_X2APIC(0) + rnd_below(0x100);
	switch (rnd_below(4)) {
	case 0: return msr_pool[rnd_below(ARRAY_SIZE(msr_pool))];
	case 1: return rnd_below(0x2000);
	case 2: return 0xc0000000u + rnd_below(0x2000);
	default: return rnd();
	}
}

static void op_rdmsr(void)
{
	u64 v;

	if (rdmsr_safe(rnd_msr(), &v) >= 0)
		faults++;
}

static void op_wrmsr(void)
{
	u32 msr;
	u64 v = ((u64)(rnd_chance(2) ? 0 : rnd_value()) << 32) | rnd_value();

	do
		msr = rnd_msr();
	while (msr == MSR_APIC_BASE_);
	if (msr == MSR_X2APIC(LAPIC_ICR_LO))   /* x2APIC ICR: same rule as the xAPIC ICR */
		v = sanitize_dm(0, 4, (u32)v) | (v & 0xffffffff00000000ull);
	if (wrmsr_safe(msr, v) >= 0)
		faults++;
}

/* --------------------------------------------------------- hypercalls */

/* A guest-physical pointer: scratch, free RAM, RAM's last bytes, past the end, wrapping. */
static u32 rnd_ptr(bool tern_writes)
{
	switch (rnd_below(tern_writes ? 5 : 7)) {
	case 0: return (u32)(uintptr_t)scratch + rnd_below(SCRATCH_SIZE - HC_WRITE_MAX);
	case 1: return ram_end - rnd_below(64);
	case 2: return ram_end + rnd_below(MIB);
	case 3: return 0xfffff000u + rnd_below(0x1000);
	case 4: return rnd() | 0x80000000u;   /* far above RAM */
	case 5: return FREE_RAM_START + rnd_below(ram_end - FREE_RAM_START);
	default: return rnd_below(ram_end);   /* anywhere in RAM: only read by tern */
	}
}

static u32 rnd_len(void)
{
	switch (rnd_below(5)) {
	case 0: return 0;
	case 1: return rnd_below(64);
	case 2: return 4096 + rnd_below(3);
	case 3: return ~0u - rnd_below(16);
	default: return rnd();
	}
}

static bool in_ram(u32 gpa, u32 len)
{
	return gpa < ram_end && len <= ram_end - gpa;
}

/* CONSOLE_WRITE: printable scratch text, or a range that must fail. */
static void hc_console(void)
{
	u32 gpa = rnd_ptr(true), len = rnd_len();
	s32 r;

	if (in_ram(gpa, len) && len <= HC_WRITE_MAX) {
		if (!rnd_chance(64))
			len = 0;   /* a rare visible line: keep the log readable */
		gpa = (u32)(uintptr_t)"#\n";
		len = len ? 2 : 0;
	}
	r = hypercall2(TERN_HC_CONSOLE_WRITE, gpa, len);
	if (len > HC_WRITE_MAX && r != -TERN_E2BIG)
		violation("CONSOLE_WRITE too long", r, -TERN_E2BIG);
	else if (len <= HC_WRITE_MAX && len && !in_ram(gpa, len) && r != -TERN_EFAULT)
		violation("CONSOLE_WRITE outside RAM", r, -TERN_EFAULT);
}

static const u32 hc_pool[] = {
	TERN_HC_NULL, TERN_HC_VERSION, TERN_HC_IRQ_LINE, TERN_HC_DOORBELL_RING,
	TERN_HC_DOORBELL_QUERY, TERN_HC_IRQ_DUMP, TERN_HC_DOORBELL_DEASSIGN, KVM_HC_SEND_IPI,
	TERN_HC_VM_SELF, TERN_HC_DOORBELL_RING_VM, TERN_HC_DOORBELL_FIND, TERN_HC_DOORBELL_GRANT,
	TERN_HC_DOORBELL_REVOKE, TERN_HC_SHM_QUERY,
};

/* tern's numbers with no call: -1000 (KVM's unknown-hypercall answer). */
static bool hc_unassigned(u32 nr)
{
	return (nr >= TERN_HC_BASE + 0x03 && nr < TERN_HC_BASE + 0x10) ||
	       (nr > TERN_HC_IRQ_DUMP && nr < TERN_HC_VM_SELF) ||
	       (nr > TERN_HC_SHM_QUERY && nr < TERN_HC_BASE + HC_TERN_SPAN);
}

/* Checks on the inter-VM calls: hostile is never the control VM and has no shared region. */
static void hc_intervm_check(u32 nr, s32 r)
{
	if ((nr == TERN_HC_DOORBELL_GRANT || nr == TERN_HC_DOORBELL_REVOKE) && r != -TERN_EPERM)
		violation("GRANT/REVOKE from a VM that is not the control VM", r, -TERN_EPERM);
	if (nr == TERN_HC_SHM_QUERY && r != -TERN_ENOENT)
		violation("SHM_QUERY without shared regions", r, -TERN_ENOENT);
	if (nr == TERN_HC_VM_SELF && (r < 0 || r >= 8))
		violation("VM_SELF", r, 0);
}

static void hc_random(void)
{
	u32 nr, a0 = rnd_value(), a1 = rnd_value(), a2 = rnd_value(), a3 = rnd_value();
	s32 r;

	switch (rnd_below(3)) {
	case 0: nr = hc_pool[rnd_below(ARRAY_SIZE(hc_pool))]; break;
	case 1: nr = TERN_HC_BASE + rnd_below(HC_TERN_SPAN); break;
	default: nr = rnd_chance(2) ? rnd_below(0x20) : rnd(); break;
	}
	if (nr == TERN_HC_CONSOLE_WRITE || nr == TERN_HC_SET_GSI_ROUTING ||
	    nr == TERN_HC_DOORBELL_ASSIGN)
		return;   /* their own ops shape the arguments */
	if (nr == TERN_HC_DOORBELL_QUERY || nr == TERN_HC_SHM_QUERY)
		a1 = rnd_ptr(true);
	if (nr == TERN_HC_IRQ_DUMP) {
		a0 = rnd_ptr(true);
		a1 = rnd_len();
	}
	if (nr == KVM_HC_SEND_IPI)   /* RSI = ICR low: no INIT/SIPI (APIC 0 is in most bitmaps) */
		a3 = sanitize_dm(0, 4, a3);
	r = hypercall4(nr, a0, a1, a2, a3);
	if (nr == TERN_HC_VERSION && r != TERN_HC_ABI_VERSION)
		violation("VERSION", r, TERN_HC_ABI_VERSION);
	if (nr == TERN_HC_IRQ_DUMP && a1 && a0 >= ram_end && r != -TERN_EFAULT)
		violation("IRQ_DUMP outside RAM", r, -TERN_EFAULT);
	if (hc_unassigned(nr) && r != -TERN_KVM_ENOSYS)
		violation("unknown hypercall", r, -TERN_KVM_ENOSYS);
	hc_intervm_check(nr, r);
}

static void op_hypercall(void)
{
	if (rnd_chance(4))
		hc_console();
	else
		hc_random();
}

/* -------------------------------------------------- control registers */

static u32 read_cr0(void) { u32 v; __asm__ __volatile__("mov %%cr0, %0" : "=r"(v)); return v; }
static u32 read_cr4(void) { u32 v; __asm__ __volatile__("mov %%cr4, %0" : "=r"(v)); return v; }

static void do_write_cr0(void *arg) { __asm__ __volatile__("mov %0, %%cr0" :: "r"(*(u32 *)arg) : "memory"); }
static void do_write_cr3(void *arg) { __asm__ __volatile__("mov %0, %%cr3" :: "r"(*(u32 *)arg) : "memory"); }
static void do_write_cr4(void *arg) { __asm__ __volatile__("mov %0, %%cr4" :: "r"(*(u32 *)arg) : "memory"); }

static void do_xsetbv(void *arg)
{
	const u32 *v = arg;

	__asm__ __volatile__("xsetbv" :: "c"(v[0]), "a"(v[1]), "d"(v[2]) : "memory");
}

static void cr_write(fault_fn_t fn, u32 v)
{
	if (fault_catch(fn, &v) >= 0)
		faults++;
}

/* CR0 keeps PE=1, PG=0; CR4 anything; each restored after (CR3: paging is off). */
static void op_cr(void)
{
	u32 cr0 = read_cr0(), cr4 = read_cr4();

	switch (rnd_below(3)) {
	case 0:
		cr_write(do_write_cr0, (cr0 & ~CR0_RANDOM_BITS) | (rnd() & CR0_RANDOM_BITS) | CR0_PE);
		cr_write(do_write_cr0, cr0);
		break;
	case 1:
		cr_write(do_write_cr4, rnd_value());
		cr_write(do_write_cr4, cr4);
		break;
	default:
		cr_write(do_write_cr3, rnd_value());
		break;
	}
}

static void op_xsetbv(void)
{
	u32 cr4 = read_cr4(), v[3] = { rnd_chance(4) ? rnd_value() : 0, rnd_value(), 0 };
	u32 restore[3] = { 0, XCR0_X87, 0 };

	if (rnd_chance(2) && (cpuid(1).ecx & CPUID_1_ECX_XSAVE))
		cr_write(do_write_cr4, cr4 | CR4_OSXSAVE);
	if (fault_catch(do_xsetbv, v) >= 0)
		faults++;
	if (read_cr4() & CR4_OSXSAVE)
		(void)fault_catch(do_xsetbv, restore);
	cr_write(do_write_cr4, cr4);
}

/* ----------------------------------------------------------------- IPIs */

static void icr_send(u32 dest, u32 lo)
{
	if (x2apic) {
		(void)wrmsr_safe(MSR_X2APIC(LAPIC_ICR_LO), ((u64)dest << 32) | lo);
		return;
	}
	lapic_write(LAPIC_ICR_HI, dest << ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LO, lo);
}

/* A burst of IPIs: NMIs and fixed vectors to itself, INIT/SIPI to APIC 1 (or all but self). */
static void op_ipi(void)
{
	unsigned n = 1 + rnd_below(16);

	for (unsigned i = 0; i < n; i++) {
		u32 vec = rnd_below(256), sipi = 1 + rnd_below(SIPI_PAGES - 1);

		switch (rnd_below(5)) {
		case 0:
			icr_send(0, (DM_NMI << DM_SHIFT) | ICR_LEVEL_ASSERT);
			break;
		case 1:
			icr_send(0, (DM_FIXED << DM_SHIFT) | ICR_LEVEL_ASSERT | vec);
			break;
		case 2:
			icr_send(1 + rnd_below(AP_IDS), (DM_INIT << DM_SHIFT) |
					     (rnd_chance(2) ? ICR_LEVEL_ASSERT : 0));
			break;
		case 3:
			icr_send(1 + rnd_below(AP_IDS), (DM_SIPI << DM_SHIFT) | ICR_LEVEL_ASSERT | sipi);
			break;
		default:
			icr_send(rnd_below(256), (ICR_SH_ALL_BUT << ICR_SH_SHIFT) |
				 ((rnd_chance(2) ? DM_INIT : DM_SIPI) << DM_SHIFT) |
				 ICR_LEVEL_ASSERT | sipi);
			break;
		}
	}
}

/* -------------------------------------------------- routing, doorbells */

static u32 rnd_gsi(void)
{
	return rnd_chance(8) ? rnd_value() : rnd_below(48);
}

static void rnd_route(struct tern_irq_routing_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->gsi = rnd_gsi();
	e->type = rnd_chance(8) ? rnd_below(8) : 1 + rnd_below(2);
	e->flags = rnd_chance(8) ? rnd_below(4) : 0;
	if (e->type == TERN_IRQ_ROUTING_MSI) {
		e->u.msi.address_lo = rnd_chance(8) ? rnd() : 0xfee00000u | (rnd() & 0xffffcu);
		e->u.msi.address_hi = rnd_chance(8) ? rnd_value() : 0;
		e->u.msi.data = sanitize_dm(0, 4, rnd_value() & 0xffffu);
		e->u.msi.devid = rnd_value();
	} else {
		e->u.irqchip.irqchip = rnd_below(4);
		e->u.irqchip.pin = rnd_below(30);
	}
}

static void op_routing(void)
{
	struct tern_irq_routing *r = (void *)scratch;
	u32 max = (SCRATCH_SIZE - sizeof(*r)) / sizeof(r->entries[0]);
	u32 nr = rnd_below(ROUTE_MAX_RANDOM), gpa = (u32)(uintptr_t)r;

	for (u32 i = 0; i < nr && i < max; i++)
		rnd_route(&r->entries[i]);
	r->nr = nr;
	r->flags = rnd_chance(16) ? rnd_value() : 0;
	if (rnd_chance(8))
		r->nr = rnd_value();        /* huge counts: E2BIG, or entries read past scratch */
	if (rnd_chance(8))
		gpa = rnd_ptr(false);
	(void)hypercall1(TERN_HC_SET_GSI_ROUTING, gpa);
}

static void op_doorbell(void)
{
	u32 slot = rnd_below(LIVE_DOORBELLS), id = rnd_chance(4) ? rnd_value() : live_db[slot];
	s32 r;

	switch (rnd_below(4)) {
	case 0:
		r = hypercall4(TERN_HC_DOORBELL_ASSIGN, rnd_gsi(),
			       rnd_chance(4) ? rnd_value() : rnd_below(4), rnd_below(4), 0);
		if (r > 0)
			live_db[slot] = (u32)r;
		break;
	case 1:
		(void)hypercall1(TERN_HC_DOORBELL_RING, id);
		break;
	case 2:
		(void)hypercall1(TERN_HC_DOORBELL_DEASSIGN, id);
		break;
	default:
		(void)hypercall2(TERN_HC_DOORBELL_QUERY, id, rnd_ptr(true));
		break;
	}
}

/* ------------------------------------------------------------ the loop */

static void (*const ops[OP_COUNT])(void) = {
	op_pio, op_mmio_lapic, op_mmio_ioapic, op_mmio_testdev, op_rdmsr, op_wrmsr,
	op_hypercall, op_cr, op_xsetbv, op_ipi, op_routing, op_doorbell,
};

/*
 * Every page a SIPI vector 1..255 can name gets the halt stub, and every
 * real-mode interrupt vector (NMI, fixed IPIs, exceptions) of an AP leads to
 * the stub of page 1: the IVT is page 0, so SIPI vector 0 is never sent.
 * Done after the command line is read (it may sit in low memory).
 */
#define IVT_ENTRIES   256u
#define STUB_SEGMENT  (SIPI_PAGE_SIZE >> 4)   /* 0x100:0 = the stub of page 1 */

static void plant_ap_stubs(void)
{
	volatile u32 *ivt = (volatile u32 *)ap_counter_addr;   /* volatile: low addresses */

	for (u32 p = 1; p < SIPI_PAGES; p++)
		memcpy((void *)(uintptr_t)(p * SIPI_PAGE_SIZE), ap_stub, sizeof(ap_stub));
	ivt -= AP_COUNTER / sizeof(u32);   /* back to linear 0 */
	for (u32 v = 0; v < IVT_ENTRIES; v++)
		ivt[v] = STUB_SEGMENT << 16;      /* segment:offset = 0x100:0 */
	*(volatile u16 *)ap_counter_addr = 0;
}

#define NMI_WAIT_SPINS 10000u

/* Send an NMI to itself; true when the handler ran. */
static bool nmi_taken(void)
{
	u32 before = irq_count[VEC_NMI];

	icr_send(0, (DM_NMI << DM_SHIFT) | ICR_LEVEL_ASSERT);
	for (u32 i = 0; i < NMI_WAIT_SPINS && irq_count[VEC_NMI] == before; i++)
		__asm__ __volatile__("pause");
	return irq_count[VEC_NMI] != before;
}

/* An IRET to the next instruction: ends a (virtual) NMI-blocked state, as after an NMI handler. */
static void iret_to_self(void)
{
	__asm__ __volatile__("pushfl\n\tpushl %%cs\n\tpushl $1f\n\tiret\n1:" ::: "memory");
}

/*
 * Is an NMI to itself still taken? If not, would an IRET (which ends NMI
 * blocking) bring them back? Tells a lost NMI (tern) from a stuck block.
 */
static void nmi_probe(u32 at)
{
	bool after_iret;

	if (!x2apic)
		lapic_enable();   /* the loop may have software-disabled the vLAPIC */
	else
		(void)wrmsr_safe(MSR_X2APIC(LAPIC_SVR), APIC_SVR_ENABLE | 0xff);
	if (nmi_taken())
		return;
	iret_to_self();
	after_iret = nmi_taken();
	nmi_lost++;
	if (nmi_lost <= 3)
		printf("hostile: NMI to self not taken at op %u; after an IRET: %s\n", at,
		       after_iret ? "taken (NMI blocking was stuck)" : "still not taken (NMI lost)");
}

static void fuzz(u32 nops, u32 trace_from)
{
	for (u32 i = 1; i <= nops; i++) {
		enum op op = (enum op)rnd_below(OP_COUNT);

		op_count[op]++;
		tracing = trace_from && i >= trace_from;
		if (tracing)
			printf("hostile: op %u %s (%u NMIs)\n", i, op_names[op], irq_count[VEC_NMI]);
		ops[op]();
		if (i % PROGRESS_EVERY == 0) {
			nmi_probe(i);
			printf("hostile: %u ops, %u faults recovered, %u NMIs\n", i, faults,
			       irq_count[VEC_NMI]);
		}
	}
	printf("hostile: %u ops done\n", nops);
	check_eq(nmi_lost, 0, "every NMI probe took its NMI (none lost, no blocking left stuck)");
	note("second vCPU: %u start-ups or wake-ups in its halt stub",
	     *(volatile u16 *)ap_counter_addr);
	for (unsigned o = 0; o < OP_COUNT; o++)
		printf("# %-12s %u\n", op_names[o], op_count[o]);
}

/* ---------------------------------------------------------- end modes */

#define RESET_MARK 0xa5   /* CMOS_TEST_MARK: a reset is under way; CMOS_TEST_MARK + 1: which */

static const char *const reset_modes[] = { "cf9", "p92", "kbc" };

/* The second boot after a reset mode: the mark is there, the VM came back. */
static bool rebooted(void)
{
	u8 which = cmos_read(CMOS_TEST_MARK + 1);

	if (cmos_read(CMOS_TEST_MARK) != RESET_MARK)
		return false;
	cmos_write(CMOS_TEST_MARK, 0);
	check(which < ARRAY_SIZE(reset_modes), "the CMOS mark names a reset mode (%u)", which);
	if (which < ARRAY_SIZE(reset_modes))
		printf("hostile: rebooted after %s\n", reset_modes[which]);
	return true;
}

static void mark_reset(const char *mode)
{
	for (u8 i = 0; i < ARRAY_SIZE(reset_modes); i++)
		if (!strcmp(mode, reset_modes[i]))
			cmos_write(CMOS_TEST_MARK + 1, i);
	cmos_write(CMOS_TEST_MARK, RESET_MARK);
}

static void end_reset(const char *mode)
{
	bool power_off = !strcmp(mode, "s5");

	printf("hostile: ending with %s: tern must %s\n", mode,
	       power_off ? "end the VM with status 0" : "reboot the VM");
	if (!power_off)
		mark_reset(mode);
	if (!strcmp(mode, "cf9")) {
		outb(PCI_RESET_PORT, PCI_RESET_HARD);
	} else if (!strcmp(mode, "p92")) {
		outb(SYSCTL_A_PORT, inb(SYSCTL_A_PORT) | SYSCTL_A_RESET);
	} else if (!strcmp(mode, "kbc")) {
		outb(KBC_CMD_PORT, KBC_CMD_RESET);
	} else {
		outw(PM1A_CNT_PORT, PM1_SLP_TYP_S5 | PM1_SLP_EN);
	}
	for (unsigned i = 0; i < 1000; i++)
		__asm__ __volatile__("pause");
	check(false, "%s %s the VM", mode, power_off ? "ended" : "reset");
}

struct idt_empty {
	u16 limit;
	u32 base;
} __packed;

static void end_mode(const char *mode)
{
	static const struct idt_empty empty = { 0, 0 };

	if (!strcmp(mode, "oob")) {
		printf("hostile: reading 0x%08x (no RAM, no device): tern must stop the VM\n",
		       OOB_ADDR);
		(void)mmio_read32(OOB_ADDR);
		check(false, "the out-of-range read stopped the VM");
	} else if (!strcmp(mode, "init")) {
		printf("hostile: INIT to itself: the BSP restarts at the reset vector, outside RAM\n");
		lapic_enable();
		icr_send(0, (DM_INIT << DM_SHIFT) | ICR_LEVEL_ASSERT);
		for (unsigned i = 0; i < 1000; i++)
			__asm__ __volatile__("pause");
		check(false, "the INIT reset the vCPU");
	} else if (!strcmp(mode, "triple")) {
		printf("hostile: empty IDT and #UD: a triple fault\n");
		__asm__ __volatile__("lidt %0\n\tud2" :: "m"(empty));
		check(false, "the triple fault stopped the VM");
	} else if (!strcmp(mode, "cf9") || !strcmp(mode, "p92") || !strcmp(mode, "kbc") ||
		   !strcmp(mode, "s5")) {
		end_reset(mode);
	}
}


/* ---------------------------------------------------------- limits mode */

#define LIMIT_GSI          5u
#define DB_TRIES           (LIMIT_VM_DOORBELLS + 16)
#define CHURN_ROUNDS       200u

static u32 db_ids[DB_TRIES];

/* Assign until refused: exactly the limit succeeds, then -TERN_ENOSPC; tern keeps serving. */
static void limits_doorbells(void)
{
	u32 n = 0;
	s32 r = 0, again;

	while (n < DB_TRIES) {
		r = hypercall4(TERN_HC_DOORBELL_ASSIGN, LIMIT_GSI, 0, 0, 0);
		if (r <= 0)
			break;
		db_ids[n++] = (u32)r;
	}
	check_eq(n, LIMIT_VM_DOORBELLS, "doorbells bound before the limit");
	check_eq(r, -TERN_ENOSPC, "the next doorbell is refused with -TERN_ENOSPC");
	check(hypercall1(TERN_HC_DOORBELL_RING, db_ids[0]) >= 0, "a doorbell still rings at the limit");
	for (u32 i = 0; i < n; i++)
		(void)hypercall1(TERN_HC_DOORBELL_DEASSIGN, db_ids[i]);
	again = hypercall4(TERN_HC_DOORBELL_ASSIGN, LIMIT_GSI, 0, 0, 0);
	check(again > 0, "after deassigning them a doorbell binds again (%d)", again);
	for (u32 i = 0; i < CHURN_ROUNDS && again > 0; i++) {
		(void)hypercall1(TERN_HC_DOORBELL_DEASSIGN, (u32)again);
		again = hypercall4(TERN_HC_DOORBELL_ASSIGN, LIMIT_GSI, 0, 0, 0);
	}
	check(again > 0, "%u assign/deassign rounds leak nothing", CHURN_ROUNDS);
	(void)hypercall1(TERN_HC_DOORBELL_DEASSIGN, (u32)again);
	check_eq(hypercall4(TERN_HC_DOORBELL_ASSIGN, LIMIT_VM_GSIS, 0, 0, 0), -TERN_ERANGE,
		 "a doorbell on GSI %u (the GSI limit) is refused", LIMIT_VM_GSIS);
}

static void limits_routing(void)
{
	struct tern_irq_routing *r = (void *)scratch, *top;
	u32 gpa = (u32)(uintptr_t)r;

	memset(scratch, 0, sizeof(scratch));
	r->nr = LIMIT_VM_ROUTE_ENTRIES + 1;
	check_eq(hypercall1(TERN_HC_SET_GSI_ROUTING, gpa), -TERN_E2BIG,
		 "a routing request of %u entries is refused", LIMIT_VM_ROUTE_ENTRIES + 1);
	r->nr = 1;
	r->entries[0].gsi = LIMIT_VM_GSIS;
	r->entries[0].type = TERN_IRQ_ROUTING_IRQCHIP;
	r->entries[0].u.irqchip.irqchip = TERN_IRQCHIP_IOAPIC;
	r->entries[0].u.irqchip.pin = LIMIT_GSI;
	check_eq(hypercall1(TERN_HC_SET_GSI_ROUTING, gpa), -TERN_ERANGE,
		 "a route for GSI %u (the GSI limit) is refused", LIMIT_VM_GSIS);
	top = (struct tern_irq_routing *)(uintptr_t)(ram_end - sizeof(*top));
	top->nr = LIMIT_VM_ROUTE_ENTRIES;
	top->flags = 0;
	check_eq(hypercall1(TERN_HC_SET_GSI_ROUTING, (u32)(uintptr_t)top), -TERN_EFAULT,
		 "a full-size request whose entries lie beyond RAM is refused");
	r->entries[0].gsi = LIMIT_GSI;
	r->nr = 1;
	for (u32 i = 0; i < CHURN_ROUNDS; i++)
		if (hypercall1(TERN_HC_SET_GSI_ROUTING, gpa) != 0)
			break;
	check_eq(hypercall1(TERN_HC_SET_GSI_ROUTING, gpa), 0,
		 "%u routing table replacements leak nothing", CHURN_ROUNDS);
}

static void limits_hypercalls(void)
{
	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, (u32)(uintptr_t)scratch, LIMIT_HC_CONSOLE_BYTES + 1),
		 -TERN_E2BIG, "CONSOLE_WRITE of %u bytes is refused", LIMIT_HC_CONSOLE_BYTES + 1);
	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, ram_end - 1, 2), -TERN_EFAULT,
		 "CONSOLE_WRITE straddling the end of RAM is refused");
	check_eq(hypercall0(TERN_HC_NULL), 0, "tern answers after every limit was hit");
}

/*
 * mode=apspin: start APIC 1 on a real-mode `jmp $` (a vCPU that never exits,
 * which a guest may do), then run nops hypercalls on this vCPU. tern must
 * keep scheduling this vCPU (and other VMs) beside the spinning one.
 */
#define SPIN_PAGE 0x10u   /* SIPI vector: linear 0x10000, free low RAM */

static void ap_spin(u32 nops)
{
	static const u8 spin[] = { 0xeb, 0xfe };   /* jmp $ */
	u32 done = 0;

	memcpy((void *)(uintptr_t)(SPIN_PAGE * SIPI_PAGE_SIZE), spin, sizeof(spin));
	lapic_enable();
	icr_send(1, (DM_INIT << DM_SHIFT) | ICR_LEVEL_ASSERT);
	icr_send(1, (DM_SIPI << DM_SHIFT) | ICR_LEVEL_ASSERT | SPIN_PAGE);
	printf("hostile: APIC 1 spins at 0x%x; %u hypercalls on the BSP\n",
	       SPIN_PAGE * SIPI_PAGE_SIZE, nops);
	for (u32 i = 0; i < nops; i++)
		done += hypercall0(TERN_HC_NULL) == 0;
	check_eq(done, nops, "the BSP kept running beside a spinning vCPU");
}

/* mode=console: nops CONSOLE_WRITEs of the largest size, 64-byte lines (a flood tern holds back). */
static void console_flood(u32 nops)
{
	u64 t0 = rdtsc();
	u32 whole = 0;

	for (u32 i = 0; i < LIMIT_HC_CONSOLE_BYTES; i++)
		scratch[i] = (i % 64 == 63) ? '\n' : 'x';
	for (u32 i = 0; i < nops; i++)
		whole += hypercall2(TERN_HC_CONSOLE_WRITE, (u32)(uintptr_t)scratch,
				    LIMIT_HC_CONSOLE_BYTES) == (s32)LIMIT_HC_CONSOLE_BYTES;
	printf("hostile: %u console writes of %u bytes took %llu TSC ticks\n", nops,
	       LIMIT_HC_CONSOLE_BYTES, (unsigned long long)(rdtsc() - t0));
	check_eq(whole, nops, "every maximal console write was taken whole");
}

static void hostile_limits(void)
{
	limits_doorbells();
	limits_routing();
	limits_hypercalls();
}

void guest_main(void)
{
	char mode[ARG_MAX] = "fuzz";
	u32 seed = mb_cmdline_u32("seed", 1), nops = mb_cmdline_u32("ops", DEFAULT_OPS);
	u32 trace_from = mb_cmdline_u32("trace", 0);
	bool want_x2apic = mb_cmdline_u32("x2apic", 0) != 0;   /* every argument is read before the SIPI stubs land */

	(void)mb_cmdline_arg("mode", mode, sizeof(mode));
	if (rebooted())
		return;
	printf("hostile: seed %u\n", seed);
	printf("hostile: ops %u mode %s\n", nops, mode);
	rng = ((u64)seed << 32) ^ 0x9e3779b97f4a7c15ull;
	ram_end = (u32)MIN((u64)mb_mem_upper_kib() * 1024 + MIB, 0xc0000000ull);
	if (!strcmp(mode, "apspin")) {
		ap_spin(nops);
		return;
	}
	if (!strcmp(mode, "console")) {
		console_flood(nops);
		return;
	}
	if (!strcmp(mode, "limits")) {
		hostile_limits();
		return;
	}
	plant_ap_stubs();
	irq_init(true, IRQ_EOI_NONE);
	lapic_enable();
	x2apic = want_x2apic && wrmsr_safe(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD) < 0;
	if (x2apic)
		printf("hostile: vLAPIC in x2APIC mode\n");
	fuzz(nops, trace_from);
	check_eq(violations, 0, "every checked hypercall result was right");
	check(true, "tern survived %u operations (seed %u)", nops, seed);
	end_mode(mode);
}
