/* SPDX-License-Identifier: MIT */
/*
 * isolation: run beside marker.elf (VM A) as VM B and try to reach memory
 * it was not given: guest-physical addresses past its RAM, in the PCI
 * hole, at the top of the 32-bit space, and (as guest-physical numbers)
 * where tern's image, its heap and the other VM's RAM sit host-physically.
 * It must never see marker.elf's pattern (the same bytes, computed here).
 *
 * Two kinds of probe:
 *  1. Hypercalls (default, mode=hc): every tern call that reads or writes
 *     guest memory (CONSOLE_WRITE, SET_GSI_ROUTING, DOORBELL_QUERY,
 *     IRQ_DUMP) is aimed at each probe address, and must fail with
 *     -TERN_EFAULT without printing or copying anything. A scan of its own
 *     RAM checks that tern never put a marker there either.
 *  2. A direct load (read=HEX): 64 bytes at that guest-physical address.
 *     tern must stop the VM at the first byte (status 255); if the load
 *     returned, the bytes are compared with the marker and the test fails.
 *
 * With shared-memory regions (shm= on tern's command line), the memory
 * hypercalls aimed at each region fail with -EFAULT too (they take RAM
 * only), and no region holds the marker; read= just past a region's end,
 * or at a region this VM was not given, must stop it like any other load.
 */
#include "lib/guest.h"
#include "lib/intervm.h"

#define MARKER_LEN      64u
#define MARKER_KEY      0x5eed7e57u
#define ARG_MAX         32
#define MIB             0x100000u
#define PROBE_STEP      (2u * MIB)
#define HOST_RAM_TOP    0x40000000u     /* scan host-RAM-like gpas up to 1 GiB */
#define SCRATCH_SIZE    4096u
#define STRADDLE        4u              /* a probe that starts in RAM and runs past its end */
#define STACK_GUARD     0x10000u        /* skip the scan over what this code is using */
#define SHM_MAX         8u

static u8 want[MARKER_LEN];
static u8 scratch[SCRATCH_SIZE] __aligned(64);
static u32 ram_end;

/* marker.elf's pattern, built here so no image holds a copy of it. */
static void marker_fill(u8 *p)
{
	static const char prefix[] = { 'T', 'E', 'R', 'N', '-', 'M', 'A', 'R', 'K', 'E', 'R', '-' };
	u32 x = MARKER_KEY;

	memcpy(p, prefix, sizeof(prefix));
	for (u32 i = sizeof(prefix); i < MARKER_LEN; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (u8)(x >> 16) | 0x80;
	}
}

/* Every hypercall that touches guest memory, aimed at gpa: all must fail with -TERN_EFAULT. */
static unsigned probe_hc(u32 gpa)
{
	struct tern_doorbell_info *info = (void *)scratch;
	unsigned bad = 0;
	s32 db, r;

	if (hypercall2(TERN_HC_CONSOLE_WRITE, gpa, MARKER_LEN) != -TERN_EFAULT)
		bad++;
	if (hypercall1(TERN_HC_SET_GSI_ROUTING, gpa) != -TERN_EFAULT)
		bad++;
	if (hypercall2(TERN_HC_IRQ_DUMP, gpa, SCRATCH_SIZE) != -TERN_EFAULT)
		bad++;
	db = hypercall4(TERN_HC_DOORBELL_ASSIGN, 5, 0, 0, 0);
	if (db > 0) {
		memset(info, 0, sizeof(*info));
		r = hypercall2(TERN_HC_DOORBELL_QUERY, (u32)db, gpa);
		if (r != -TERN_EFAULT)
			bad++;
		(void)hypercall1(TERN_HC_DOORBELL_DEASSIGN, (u32)db);
	}
	if (bad)
		printf("# gpa 0x%08x: %u hypercall(s) did not fail with -EFAULT\n", gpa, bad);
	return bad;
}

/* A 64-byte text line in the last bytes of RAM, for the in-RAM control probe. */
static u32 top_line(void)
{
	char *p = (char *)(uintptr_t)(ram_end - MARKER_LEN);

	memset(p, '.', MARKER_LEN);
	memcpy(p, "isolation: the end of RAM is mine ", 34);
	p[MARKER_LEN - 1] = '\n';
	return ram_end - MARKER_LEN;
}

static void probe_hypercalls(void)
{
	static const u32 fixed[] = {
		0, 0x200000u, 0xa0000u, 0xc0000000u, 0xfec00000u, 0xfee00000u,
		0xff000000u, 0xfffff000u, 0xffffffc0u,
	};
	unsigned n = 0, bad = 0;

	for (u32 gpa = ram_end; gpa && gpa < HOST_RAM_TOP; gpa += PROBE_STEP, n++)
		bad += probe_hc(gpa);
	bad += probe_hc(ram_end - STRADDLE);   /* straddling the end */
	n++;
	for (unsigned i = 0; i < ARRAY_SIZE(fixed); i++) {
		if (fixed[i] < ram_end)
			continue;   /* inside this VM's RAM: its own memory */
		bad += probe_hc(fixed[i]);
		n++;
	}
	check_eq(bad, 0, "%u addresses outside RAM: every memory hypercall fails with -EFAULT", n);
	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, top_line(), MARKER_LEN), MARKER_LEN,
		 "the last %u bytes of RAM are still this VM's", MARKER_LEN);
}

/* No marker anywhere in this VM's own RAM (tern never copied the other VM's memory here). */
static void scan_own_ram(void)
{
	u32 found = 0, here = (u32)(uintptr_t)&found;

	for (u32 a = 0; a + MARKER_LEN <= ram_end; a += 16) {
		if (a == (u32)(uintptr_t)want || (a + STACK_GUARD > here && a < here + STACK_GUARD))
			continue;
		if (!memcmp((const void *)(uintptr_t)a, want, MARKER_LEN)) {
			printf("# marker found at 0x%08x\n", a);
			found++;
		}
	}
	check_eq(found, 0, "no marker in this VM's %u MiB of RAM", ram_end / MIB);
}

static void read_probe(u32 gpa)
{
	u8 got[MARKER_LEN];

	printf("isolation: reading %u bytes at gpa 0x%08x (outside RAM): tern must stop the VM\n",
	       MARKER_LEN, gpa);
	for (u32 i = 0; i < MARKER_LEN; i++)
		got[i] = mmio_read8(gpa + i);
	if (!memcmp(got, want, MARKER_LEN))
		printf("isolation: MARKER FOUND at 0x%08x\n", gpa);
	check(false, "the load at 0x%08x returned instead of stopping the VM", gpa);
}

/* True when the marker is somewhere in [gpa, gpa + size). */
static bool marker_in(u32 gpa, u32 size)
{
	for (u32 a = gpa; a - gpa + MARKER_LEN <= size; a += 16)
		if (!memcmp((const void *)(uintptr_t)a, want, MARKER_LEN))
			return true;
	return false;
}

/* The shared regions: memory hypercalls refuse them, and none holds the marker. */
static void probe_shared(void)
{
	struct tern_shm_info info;
	unsigned n = 0, bad = 0, found = 0;

	while (n < SHM_MAX && shm_query(n, &info) == 0) {
		note("shared region %u '%s': 0x%08x, %u KiB", n, info.name, (u32)info.gpa,
		     (u32)(info.size >> 10));
		bad += probe_hc((u32)info.gpa);
		found += marker_in((u32)info.gpa, (u32)info.size);
		n++;
	}
	if (!n)
		return;
	check_eq(bad, 0, "%u shared region(s): every memory hypercall into them fails with -EFAULT", n);
	check_eq(found, 0, "no marker in the shared region(s)");
}

void guest_main(void)
{
	char buf[ARG_MAX];
	u64 v;

	marker_fill(want);
	ram_end = (u32)MIN((u64)mb_mem_upper_kib() * 1024 + MIB, 0xc0000000ull);
	printf("isolation: RAM ends at 0x%08x\n", ram_end);
	if (mb_cmdline_arg("read", buf, sizeof(buf)) &&
	    !parse_u64(buf, strlen(buf), &v, false))
		read_probe((u32)v);
	probe_hypercalls();
	probe_shared();
	scan_own_ram();
}
