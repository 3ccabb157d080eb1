/* SPDX-License-Identifier: MIT */
/*
 * intervm_shm: a notify-and-share channel between two VMs
 * (docs/intervm.md). Run as vm0 with role=a and vm1 with role=b, with
 *   shm=chan:2M:0+1 doorbell=1:40:0 doorbell=0:40:1
 *
 * Both find the region named "chan" with SHM_QUERY (gpa, size, the VMs
 * sharing it), check that their memory map marks it reserved, that tern
 * zeroed it, and that hypercall pointers into it are refused (they take
 * RAM only). Arguments kib=N (its size, default 2048) and regions=N (how
 * many regions the VM has, default 1) describe the command line used. Then A writes a message and a 4 KiB payload into the region and
 * rings B's doorbell; B, woken in HLT, checks both, writes its reply
 * (text and the payload's checksum) into the region and rings A's
 * doorbell. ROUNDS rounds, then A writes DONE and rings once more.
 */
#include "kernel/lib/format.h"
#include "lib/guest.h"
#include "lib/intervm.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"

#define VM_A         0u
#define VM_B         1u
#define GSI_BELL     40u        /* each VM's doorbell, granted to the other */
#define VEC_BELL     0x60u
#define SHM_NAME     "chan"
#define SHM_KIB      2048u      /* default size */
#define ZERO_FROM    (8u << 10) /* nobody writes past the channel: it must read as zeros */
#define ALIGN_2M     (2u << 20)
#define MSG_LEN      32u
#define PAYLOAD_LEN  4096u
#define ROUNDS       16u
#define SEQ_DONE     0xffffffffu
#define WAIT_MS      3000u
#define POLL_MS      1u
#define MB_RESERVED  2u
#define ARG_MAX      16

/* The channel at the start of the region. */
struct channel {
	u32 ready[2];               /* VM i has routed its bell: a ring to it is not lost */
	u32 seq;                    /* A's message number, written after the message */
	u32 reply_seq;              /* B's answer to seq, written after the reply */
	u32 reply_sum;              /* B's checksum of the payload it read */
	char msg[MSG_LEN];
	char reply[MSG_LEN];
	u8 payload[PAYLOAD_LEN];
};
STATIC_ASSERT(sizeof(struct channel) <= ZERO_FROM);

static struct route_req req;
static volatile struct channel *ch;
static u32 want_bells;

static u64 ms(u32 n) { return (u64)n * tsc_per_ms(); }
static bool bells_in(void) { return irq_count[VEC_BELL] >= want_bells; }
static bool never(void) { return false; }

static u8 payload_byte(u32 round, u32 i) { return (u8)(round * 131u + i * 7u + (i >> 8)); }

static u32 payload_sum(void)
{
	u32 sum = 0;

	for (u32 i = 0; i < PAYLOAD_LEN; i++)
		sum = sum * 31u + ch->payload[i];
	return sum;
}

/* Copy a string into the region (volatile: the other VM reads it). */
static void put_str(volatile char *dst, const char *src)
{
	u32 i = 0;

	for (; src[i] && i + 1 < MSG_LEN; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static bool str_is(const volatile char *s, const char *want)
{
	u32 i = 0;

	for (; want[i]; i++)
		if (s[i] != want[i])
			return false;
	return s[i] == '\0';
}

/* Poll a word of the region, halting between looks so the other VM runs. */
static bool wait_word(volatile u32 *w, u32 value)
{
	u64 end = rdtsc() + ms(WAIT_MS);

	while (*w != value && rdtsc() < end)
		irq_halt_until(never, ms(POLL_MS));
	return *w == value;
}

/* ---------------------------------------------------------------- discovery */

static bool mmap_reserves(u64 gpa, u64 size)
{
	const struct mb_mmap_entry *e;

	for (unsigned i = 0; (e = mb_mmap_entry(i)); i++)
		if (e->base == gpa && e->length == size && e->type == MB_RESERVED)
			return true;
	return false;
}

static bool region_zero_from(u32 gpa, u32 from, u32 size)
{
	const volatile u32 *p = (const volatile u32 *)(uintptr_t)(gpa + from);

	for (u32 i = 0; i < (size - from) / 4; i++)
		if (p[i])
			return false;
	return true;
}

/* SHM_QUERY every region; the one named SHM_NAME into *chan. Returns how many there are. */
static u32 query_all(struct tern_shm_info *chan, bool *found)
{
	struct tern_shm_info info;
	u32 n = 0;

	*found = false;
	memset(&info, 0xa5, sizeof(info));
	while (n < 8 && shm_query(n, &info) == 0) {
		if (!strcmp(info.name, SHM_NAME)) {
			*chan = info;
			*found = true;
		}
		n++;
	}
	return n;
}

/* SHM_QUERY and what the VM can see of the region; returns its gpa, or 0. */
static u32 discover(void)
{
	struct tern_shm_info info;
	u32 size = mb_cmdline_u32("kib", SHM_KIB) << 10, regions = mb_cmdline_u32("regions", 1), gpa;
	bool found;

	check_eq(query_all(&info, &found), regions, "SHM_QUERY: %u region(s)", regions);
	if (!check(found, "one is named '%s'", SHM_NAME))
		return 0;
	gpa = (u32)info.gpa;
	check(info.gpa >= TERN_SHM_WINDOW_GPA && info.gpa + info.size <= TERN_SHM_WINDOW_GPA +
	      TERN_SHM_WINDOW_SIZE && !(gpa % ALIGN_2M), "at 0x%08x: in the window, 2 MiB aligned", gpa);
	check_eq(info.size, size, "%u KiB", size >> 10);
	check_eq(info.vms, BIT(VM_A) | BIT(VM_B), "shared by vm0 and vm1");
	check_eq(shm_query(regions, &info), -TERN_ENOENT, "SHM_QUERY %u: -ENOENT", regions);
	check_eq(shm_query(0, (void *)0xf0000000u), -TERN_EFAULT, "SHM_QUERY to a pointer outside RAM");
	check(mmap_reserves(gpa, size), "the multiboot memory map reserves it");
	check(region_zero_from(gpa, ZERO_FROM, size), "past the channel it reads as zeros");
	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, gpa, 4), -TERN_EFAULT,
		 "hypercall pointers into it are refused (RAM only)");
	return gpa;
}

/* Route this VM's bell, find the other's, say ready. */
static s32 setup_bell(u32 self, u32 peer)
{
	s32 bell;

	route_clear(&req);
	route_add_msi(&req, GSI_BELL, VEC_BELL);
	check_eq(route_set(&req), 0, "GSI %u routed to vector 0x%x", GSI_BELL, VEC_BELL);
	bell = doorbell_find(peer, GSI_BELL);
	check(bell > 0, "FIND: vm%u's doorbell on GSI %u (id %d)", peer, GSI_BELL, bell);
	ch->ready[self] = 1;
	return bell;
}

/* ---------------------------------------------------------------- A: writes, rings, reads the reply */

static bool a_round(u32 round, u32 bell)
{
	char text[MSG_LEN];
	u32 sum;

	for (u32 i = 0; i < PAYLOAD_LEN; i++)
		ch->payload[i] = payload_byte(round, i);
	fmt_snprintf(text, sizeof(text), "ping %u", round);
	put_str(ch->msg, text);
	sum = payload_sum();
	__asm__ __volatile__("" ::: "memory");   /* the message before its number (x86 keeps store order) */
	ch->seq = round;
	want_bells = round;
	if (ring_vm(VM_B, bell) != 0 || !irq_halt_until(bells_in, ms(WAIT_MS)))
		return false;
	fmt_snprintf(text, sizeof(text), "pong %u", round);
	return ch->reply_seq == round && str_is(ch->reply, text) && ch->reply_sum == sum;
}

static void role_a(s32 bell)
{
	u32 ok = 0;

	if (!check(wait_word(&ch->ready[VM_B], 1), "vm1 is ready"))
		return;
	for (u32 round = 1; round <= ROUNDS; round++)
		ok += a_round(round, (u32)bell);
	check_eq(ok, ROUNDS, "%u rounds: message and payload written, bell rung, reply read back", ROUNDS);
	ch->seq = SEQ_DONE;
	check_eq(ring_vm(VM_B, (u32)bell), 0, "DONE rung");
}

/* ---------------------------------------------------------------- B: woken, reads, replies */

static bool b_payload_ok(u32 round)
{
	for (u32 i = 0; i < PAYLOAD_LEN; i++)
		if (ch->payload[i] != payload_byte(round, i))
			return false;
	return true;
}

static void role_b(s32 bell)
{
	char text[MSG_LEN];
	u32 handled = 0, good = 0, seq = 0;

	for (;;) {
		want_bells = handled + 1;
		if (!irq_halt_until(bells_in, ms(WAIT_MS)))
			break;
		handled++;
		seq = ch->seq;
		if (seq == SEQ_DONE)
			break;
		fmt_snprintf(text, sizeof(text), "ping %u", handled);
		good += seq == handled && str_is(ch->msg, text) && b_payload_ok(seq);
		fmt_snprintf(text, sizeof(text), "pong %u", seq);
		put_str(ch->reply, text);
		ch->reply_sum = payload_sum();
		__asm__ __volatile__("" ::: "memory");
		ch->reply_seq = seq;
		if (ring_vm(VM_A, (u32)bell) != 0)
			break;
	}
	check_eq(seq, SEQ_DONE, "DONE arrived");
	check_eq(good, ROUNDS, "%u messages and payloads read as vm0 wrote them, each answered", ROUNDS);
}

void guest_main(void)
{
	char role[ARG_MAX] = "";
	bool is_b = mb_cmdline_arg("role", role, sizeof(role)) && !strcmp(role, "b");
	u32 self = is_b ? VM_B : VM_A, gpa;
	s32 bell;

	check_eq(vm_self(), self, "VM_SELF: this is vm%u", self);
	gpa = discover();
	if (!gpa)
		return;
	ch = (volatile struct channel *)(uintptr_t)gpa;
	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	bell = setup_bell(self, is_b ? VM_A : VM_B);
	if (bell <= 0)
		return;
	if (is_b)
		role_b(bell);
	else
		role_a(bell);
}
