/* SPDX-License-Identifier: MIT */
/*
 * intervm_ring: doorbells between two VMs (docs/intervm.md). Run as
 * vm0 with role=ringer and vm1 with role=owner, with
 *   doorbell=1:40:0 doorbell=1:42:0 doorbell=0:40:1
 * so vm0 may ring vm1's doorbells on GSI 40 (ping) and 42 (done), and vm1
 * may ring vm0's on GSI 40 (answer). vm1 also binds GSI 41 itself and
 * grants it to nobody.
 *
 * The ringer finds the owner's doorbells with DOORBELL_FIND, rings until
 * the first answer arrives (the owner may not have routed its GSIs yet),
 * then checks that every id of the owner it was not granted gives -EPERM
 * or -ENOENT, that a non-control VM's GRANT gets -EPERM, and runs ROUNDS
 * ping/answer rounds, each answered exactly once. The owner waits in HLT,
 * answers each ping, and at the end checks that its ungranted doorbell
 * never rang.
 *
 * notimer=1 (owner): wait for pings in a bare `sti; hlt` with no timer of
 * any kind armed: only the other VM's rings can wake it, and tern must not
 * stop it as "nothing can wake them" while that VM runs.
 *
 * control=1 (both VMs; vm0 started with the control flag): the ringer,
 * as control VM, also finds the private doorbell, grants itself, rings it
 * once, revokes the grant (then -EPERM again), and revokes and restores
 * its command-line grant; the owner then counts exactly one private ring.
 */
#include "lib/guest.h"
#include "lib/intervm.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"

#define RINGER       0u
#define OWNER        1u
#define NO_VM        7u
#define GSI_PING     40u      /* the owner's, granted to the ringer */
#define GSI_PRIVATE  41u      /* the owner's, granted to nobody */
#define GSI_DONE     42u      /* the owner's, granted to the ringer */
#define GSI_ANSWER   40u      /* the ringer's, granted to the owner */
#define VEC_PING     0x60u
#define VEC_PRIVATE  0x61u
#define VEC_DONE     0x62u
#define VEC_ANSWER   0x60u
#define ROUNDS       8u
#define WAIT_MS      3000u    /* any one wait for the other VM */
#define RETRY_MS     5u       /* between rings until the owner first answers */
#define SETTLE_MS    20u      /* quiet time after which no answer is still on its way */
#define SETTLE_MAX   50u
#define PROBE_SLOTS  16u      /* owner ids probed: (generation 1 << 10) | slot */
#define ID_GEN1      (1u << 10)
#define ARG_MAX      16

static struct route_req req;
static u32 answered;          /* owner: pings answered so far */
static u32 want_answers;      /* ringer: answers waited for */

static u64 ms(u32 n) { return (u64)n * tsc_per_ms(); }

static bool ping_or_done(void) { return irq_count[VEC_PING] > answered || irq_count[VEC_DONE]; }
static bool answers_in(void) { return irq_count[VEC_ANSWER] >= want_answers; }
static bool never(void) { return false; }

static bool arg_is(const char *key, const char *value)
{
	char buf[ARG_MAX];

	return mb_cmdline_arg(key, buf, sizeof(buf)) && !strcmp(buf, value);
}

/* ---------------------------------------------------------------- owner (vm1) */

static u64 private_rings(s32 id)
{
	struct tern_doorbell_info info;

	return doorbell_query((u32)id, &info) ? ~0ull : info.rings;
}

/* Halt until a ping or DONE: bounded by a vLAPIC watchdog, or (no_timer) by nothing. */
static void wait_ping(u64 end, bool no_timer)
{
	if (!no_timer) {
		irq_halt_until(ping_or_done, end - rdtsc());
		return;
	}
	irq_disable();
	while (!ping_or_done())
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}

static void owner_serve(s32 answer)
{
	u64 end = rdtsc() + ms(WAIT_MS * 4);
	bool no_timer = arg_is("notimer", "1");
	u32 bad = 0;

	while (!irq_count[VEC_DONE] && rdtsc() < end) {
		wait_ping(end, no_timer);
		for (; answered < irq_count[VEC_PING]; answered++)
			bad += ring_vm(RINGER, (u32)answer) != 0;
	}
	check_eq(irq_count[VEC_DONE], 1, "the ringer's DONE doorbell arrived once");
	check(answered >= ROUNDS + 1, "%u pings arrived, each answered", answered);
	check_eq(bad, 0, "every answer (RING_VM to vm0) returned 0");
}

static void owner(bool control)
{
	s32 priv, answer;

	route_clear(&req);
	route_add_msi(&req, GSI_PING, VEC_PING);
	route_add_msi(&req, GSI_PRIVATE, VEC_PRIVATE);
	route_add_msi(&req, GSI_DONE, VEC_DONE);
	check_eq(route_set(&req), 0, "owner: GSIs %u, %u, %u routed to MSI vectors", GSI_PING,
		 GSI_PRIVATE, GSI_DONE);
	priv = doorbell_assign(GSI_PRIVATE, 0, 0);
	check(priv > 0, "a doorbell of its own on GSI %u, granted to nobody (id %d)", GSI_PRIVATE, priv);
	check(doorbell_find(OWNER, GSI_PING) > 0, "FIND: tern created its doorbell= doorbell on GSI %u",
	      GSI_PING);
	answer = doorbell_find(RINGER, GSI_ANSWER);
	check(answer > 0, "FIND: vm0's doorbell on GSI %u, granted to this VM", GSI_ANSWER);
	check_eq(doorbell_find(RINGER, GSI_ANSWER + 1), -TERN_ENOENT, "FIND: nothing else of vm0's");
	check_eq(doorbell_grant(OWNER, (u32)priv, RINGER), -TERN_EPERM,
		 "GRANT from a VM that is not the control VM: -EPERM");
	check_eq(doorbell_revoke(RINGER, (u32)answer, OWNER), -TERN_EPERM, "REVOKE too: -EPERM");
	owner_serve(answer);
	check_eq(irq_count[VEC_PRIVATE], control ? 1 : 0, "the private doorbell's vector: %u interrupts",
		 control ? 1 : 0);
	check_eq(private_rings(priv), control ? 1 : 0, "QUERY: the private doorbell rang %u times "
		 "(refused rings are not counted)", control ? 1 : 0);
}

/* ---------------------------------------------------------------- ringer (vm0) */

/* Ring until the owner answers once: before it has routed GSI 40 a ping is lost. */
static void ringer_sync(u32 ping)
{
	u64 end = rdtsc() + ms(WAIT_MS);
	u32 sent = 0, bad = 0;

	want_answers = 1;
	while (!answers_in() && rdtsc() < end) {
		bad += ring_vm(OWNER, ping) != 0;
		sent++;
		irq_halt_until(answers_in, ms(RETRY_MS));
	}
	check(answers_in(), "the owner answered (after %u pings)", sent);
	check_eq(bad, 0, "RING_VM of the granted doorbell returned 0 each time");
}

/* Wait until no answer arrived for SETTLE_MS: the stragglers of the sync are in. */
static void ringer_settle(void)
{
	u32 seen;

	for (unsigned i = 0; i < SETTLE_MAX; i++) {
		seen = irq_count[VEC_ANSWER];
		irq_halt_until(never, ms(SETTLE_MS));
		if (irq_count[VEC_ANSWER] == seen)
			return;
	}
}

/* Ids of the owner not granted: -EPERM for the one that exists, -ENOENT for the rest. */
static void ringer_probe(u32 ping, u32 done)
{
	u32 eperm = 0, other = 0;

	for (u32 slot = 0; slot < PROBE_SLOTS; slot++) {
		u32 id = ID_GEN1 | slot;
		s32 r;

		if (id == ping || id == done)
			continue;
		r = ring_vm(OWNER, id);
		if (r == -TERN_EPERM)
			eperm++;
		else if (r != -TERN_ENOENT)
			other++;
	}
	check_eq(eperm, 1, "RING_VM of vm1's doorbell not granted to vm0: -EPERM");
	check_eq(other, 0, "RING_VM of ids vm1 does not have: -ENOENT");
	check_eq(ring_vm(OWNER, 0), -TERN_ENOENT, "RING_VM id 0: -ENOENT");
	check_eq(ring_vm(NO_VM, ping), -TERN_ENOENT, "RING_VM of a VM that does not exist: -ENOENT");
	check_eq(doorbell_find(NO_VM, GSI_PING), -TERN_ENOENT, "FIND in a VM that does not exist");
}

/* As the control VM: grant itself the private doorbell, ring it once, revoke. */
static void ringer_control(u32 ping)
{
	s32 priv = doorbell_find(OWNER, GSI_PRIVATE);

	check(priv > 0, "FIND as control VM: vm1's ungranted doorbell too (id %d)", priv);
	check_eq(ring_vm(OWNER, (u32)priv), -TERN_EPERM, "before GRANT: -EPERM");
	check_eq(doorbell_grant(OWNER, (u32)priv, OWNER), -TERN_EINVAL, "GRANT to its owner: -EINVAL");
	check_eq(doorbell_grant(NO_VM, (u32)priv, RINGER), -TERN_ENOENT, "GRANT in no VM: -ENOENT");
	check_eq(doorbell_grant(OWNER, (u32)priv, NO_VM), -TERN_ENOENT, "GRANT to no VM: -ENOENT");
	check_eq(doorbell_grant(OWNER, 0x7fffffffu, RINGER), -TERN_ENOENT, "GRANT of no doorbell");
	check_eq(doorbell_grant(OWNER, (u32)priv, RINGER), 0, "GRANT vm0 the private doorbell");
	check_eq(doorbell_grant(OWNER, (u32)priv, RINGER), 0, "GRANT again: 0");
	check_eq(ring_vm(OWNER, (u32)priv), 0, "after GRANT: RING_VM returns 0");
	check_eq(doorbell_revoke(OWNER, (u32)priv, RINGER), 0, "REVOKE");
	check_eq(ring_vm(OWNER, (u32)priv), -TERN_EPERM, "after REVOKE: -EPERM");
	check_eq(doorbell_revoke(OWNER, (u32)priv, RINGER), -TERN_ENOENT, "REVOKE again: -ENOENT");
	check_eq(doorbell_revoke(OWNER, ping, RINGER), 0, "REVOKE the command-line grant");
	check_eq(ring_vm(OWNER, ping), -TERN_EPERM, "then RING_VM of it: -EPERM");
	check_eq(doorbell_grant(OWNER, ping, RINGER), 0, "GRANT it back");
}

static void ringer_rounds(u32 ping, u32 done)
{
	u32 base = irq_count[VEC_ANSWER], ok = 0;

	for (u32 i = 1; i <= ROUNDS; i++) {
		want_answers = base + i;
		if (ring_vm(OWNER, ping) == 0 && irq_halt_until(answers_in, ms(WAIT_MS)))
			ok++;
	}
	check_eq(ok, ROUNDS, "%u pings, each answered", ROUNDS);
	check_eq(ring_vm(OWNER, done), 0, "RING_VM of the DONE doorbell");
	ringer_settle();
	check_eq(irq_count[VEC_ANSWER], base + ROUNDS, "exactly one answer per ping");
}

static void ringer(bool control)
{
	s32 ping, done;

	route_clear(&req);
	route_add_msi(&req, GSI_ANSWER, VEC_ANSWER);
	check_eq(route_set(&req), 0, "ringer: GSI %u routed to vector 0x%x", GSI_ANSWER, VEC_ANSWER);
	ping = doorbell_find(OWNER, GSI_PING);
	done = doorbell_find(OWNER, GSI_DONE);
	check(ping > 0 && done > 0, "FIND: vm1's doorbells on GSIs %u and %u (ids %d, %d)", GSI_PING,
	      GSI_DONE, ping, done);
	if (ping <= 0 || done <= 0)
		return;
	ringer_sync((u32)ping);
	ringer_settle();
	if (!control)
		check_eq(doorbell_find(OWNER, GSI_PRIVATE), -TERN_ENOENT,
			 "FIND does not reveal a doorbell not granted");
	ringer_probe((u32)ping, (u32)done);
	if (control)
		ringer_control((u32)ping);
	else
		check_eq(doorbell_grant(OWNER, (u32)ping, RINGER), -TERN_EPERM,
			 "GRANT from a VM that is not the control VM: -EPERM");
	ringer_rounds((u32)ping, (u32)done);
}

void guest_main(void)
{
	bool is_owner = arg_is("role", "owner"), control = arg_is("control", "1");
	u32 self = is_owner ? OWNER : RINGER;

	check_eq(vm_self(), self, "VM_SELF: this is vm%u", self);
	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	if (is_owner)
		owner(control);
	else
		ringer(control);
}
