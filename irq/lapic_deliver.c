/* SPDX-License-Identifier: MIT */
/*
 * Interrupt message routing between vLAPICs: which vCPUs a message
 * addresses (shorthand, physical, logical, lowest priority), then the
 * per-target acceptance in irq/vlapic.c. Also KVM's PV send-IPI.
 *
 * No lock of its own: each target's vLAPIC lock is taken in turn by
 * vlapic_accept_irq, so callers may hold any lock above the vLAPIC's.
 */
#include "irq/vlapic.h"
#include "kernel/lib/atomic.h"

#define DM_RESERVED        3          /* delivery mode 0b011 */
#define PV_IPI_CLUSTER     64         /* bits per PV send-IPI bitmap word (64-bit callers) */
#define PV_IPI_CLUSTER_32  32         /* the same for callers outside 64-bit mode */

typedef u64 vcpu_mask_t;              /* one bit per vCPU (TERN_MAX_VCPUS = 64) */
STATIC_ASSERT(TERN_MAX_VCPUS <= 64);

static unsigned nr_vcpus(struct vm *vm)
{
	return MIN(READ_ONCE(vm_irq(vm)->nr_vcpus), (unsigned)TERN_MAX_VCPUS);
}

static bool irq_valid(const struct lapic_irq *irq)
{
	if (irq->delivery_mode > LAPIC_DM_EXTINT || irq->delivery_mode == DM_RESERVED)
		return false;
	if (irq->shorthand > LAPIC_SH_ALL_BUT_SELF)
		return false;
	if (irq->shorthand == LAPIC_SH_SELF || irq->shorthand == LAPIC_SH_ALL_BUT_SELF)
		return irq->src_vcpu >= 0 && irq->src_vcpu < TERN_MAX_VCPUS;
	return true;
}

/* The vCPUs a message addresses, before lowest-priority arbitration. */
static vcpu_mask_t destination_set(struct vm *vm, const struct lapic_irq *irq)
{
	unsigned n = nr_vcpus(vm);
	vcpu_mask_t all = n >= 64 ? ~0ull : BIT64(n) - 1;
	vcpu_mask_t set = 0;

	switch (irq->shorthand) {
	case LAPIC_SH_SELF:
		return BIT64(irq->src_vcpu) & all;
	case LAPIC_SH_ALL:
		return all;
	case LAPIC_SH_ALL_BUT_SELF:
		return all & ~BIT64(irq->src_vcpu);
	default:
		break;
	}
	/*
	 * A physical destination below the broadcasts (0xff, 0xffffffff: never
	 * below n <= 64) names one APIC ID, and the APIC ID is the vcpu_id: only
	 * that vLAPIC can match (an MSI or IPI to one vCPU, the common case).
	 */
	if (!irq->dest_logical && irq->dest < n)
		return vlapic_match_dest(vm, irq->dest, irq) ? BIT64(irq->dest) : 0;
	for (unsigned i = 0; i < n; i++)
		if (vlapic_match_dest(vm, i, irq))
			set |= BIT64(i);
	return set;
}

/*
 * Lowest priority: the software-enabled target with the lowest PPR; ties go
 * to the lowest APIC ID (= vcpu_id) so the choice is deterministic. No focus
 * processor (the Pentium 4 dropped it). Returns a one-bit set, or 0.
 */
static vcpu_mask_t pick_lowest(struct vm *vm, vcpu_mask_t set)
{
	int best = -1;
	u8 best_ppr = 0xff;

	for (unsigned i = 0; set >> i; i++) {
		u8 ppr;

		if (!((set >> i) & 1) || !vlapic_sw_enabled(vm, i))
			continue;
		ppr = vlapic_ppr(vm, i);
		if (best < 0 || ppr < best_ppr) {
			best = (int)i;
			best_ppr = ppr;
		}
	}
	return best < 0 ? 0 : BIT64(best);
}

/*
 * A physical message without shorthand to an ID below the vCPU count names
 * exactly that vCPU (APIC ID = vcpu_id, and the broadcasts 0xff and
 * 0xffffffff are never below it). For it vlapic_match_dest() reduces to
 * "hardware-enabled", which vlapic_accept_irq() checks under its lock, so
 * the message goes straight there. Lowest priority is left to the walk:
 * its arbitration skips a software-disabled target, acceptance would count
 * it as dropped.
 */
static bool one_physical_target(struct vm *vm, const struct lapic_irq *irq)
{
	return !irq->dest_logical && irq->shorthand == LAPIC_SH_NONE &&
	       irq->delivery_mode != LAPIC_DM_LOWEST && irq->dest < nr_vcpus(vm);
}

/*
 * Every other message: the destination walk. Not inlined, so the one-target
 * path of lapic_deliver() does not pay for this one's frame and registers.
 */
static __attribute__((noinline)) int deliver_walk(struct vm *vm, const struct lapic_irq *irq)
{
	vcpu_mask_t set = destination_set(vm, irq);
	int accepted = 0;

	if (irq->delivery_mode == LAPIC_DM_LOWEST)
		set = pick_lowest(vm, set);
	for (; set; set &= set - 1)
		accepted += vlapic_accept_irq(vm, (unsigned)__builtin_ctzll(set), irq);
	return accepted;
}

int lapic_deliver(struct vm *vm, const struct lapic_irq *irq)
{
	if (!vm || !irq)
		return -TERN_EINVAL;
	/* the common message first: fixed without shorthand is valid, INIT's rule is not its */
	if (irq->delivery_mode == LAPIC_DM_FIXED && one_physical_target(vm, irq))
		return vlapic_accept_irq(vm, irq->dest, irq);
	if (!irq_valid(irq))
		return -TERN_EINVAL;
	if (irq->delivery_mode == LAPIC_DM_INIT && irq->level_trigger && !irq->assert)
		return 0;   /* INIT level de-assert: ignored (SDM 10.6.1) */
	if (one_physical_target(vm, irq))
		return vlapic_accept_irq(vm, irq->dest, irq);
	return deliver_walk(vm, irq);
}

/* ------------------------------------------------------------ KVM PV send-IPI */

static long pv_send_word(struct vm *vm, u64 bits, u64 first_id, unsigned cluster,
			 const struct lapic_irq *irq)
{
	unsigned n = nr_vcpus(vm);
	long sent = 0;

	for (unsigned b = 0; b < cluster; b++) {
		u64 id = first_id + b;

		if (!((bits >> b) & 1) || id >= n)
			continue;
		sent += vlapic_accept_irq(vm, (unsigned)id, irq);
	}
	return sent;
}

long vlapic_pv_send_ipi(struct vm *vm, unsigned src_vcpu, u64 bitmap_low, u64 bitmap_high,
			u32 min_apic_id, u64 icr, unsigned cluster)
{
	u32 lo = (u32)icr;
	struct lapic_irq irq = {
		.vector = lo & APIC_ICR_VECTOR,
		.delivery_mode = (lo & APIC_ICR_DM_MASK) >> APIC_ICR_DM_SHIFT,
		.level_trigger = lo & APIC_ICR_LEVEL,
		.assert = lo & APIC_ICR_ASSERT,
		.src_vcpu = (int)src_vcpu,
	};

	if (!vm || (lo & (APIC_ICR_DEST_LOGICAL | APIC_ICR_SH_MASK)))
		return -TERN_EINVAL;
	if (irq.delivery_mode != LAPIC_DM_FIXED && irq.delivery_mode != LAPIC_DM_NMI)
		return -TERN_EINVAL;
	/* APIC ID = vcpu_id: bit n of the 2 * cluster-bit map is vCPU min_apic_id + n */
	cluster = cluster == PV_IPI_CLUSTER_32 ? PV_IPI_CLUSTER_32 : PV_IPI_CLUSTER;
	return pv_send_word(vm, bitmap_low, min_apic_id, cluster, &irq) +
	       pv_send_word(vm, bitmap_high, (u64)min_apic_id + cluster, cluster, &irq);
}
