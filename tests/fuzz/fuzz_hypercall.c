/* SPDX-License-Identifier: MIT */
/*
 * The hypercall layer (kernel/hypercall.c: the table, every call's argument
 * decoding, guest-pointer copies) with what it drives: routing, doorbells,
 * irq_dump, inter-VM calls (kernel/intervm.c, kernel/vm_registry.c) and the
 * KVM PV send-IPI (irq/lapic_deliver.c), over the real vPIC, vIOAPIC and
 * vLAPICs. Two or three VMs (tests/unit/fake_hc_vms.c), usually one of
 * them the control VM, each with its own exactly-sized guest RAM (ASan
 * sees any access past it), 1-2 vCPUs (now and then 33-40, so APIC IDs
 * past KVM's 32-bit PV IPI cluster exist), optional doorbell= doorbells,
 * shm= regions and lowered routing limits. The input then picks a sequence
 * of: hypercalls (any number: every table entry, the holes, KVM's numbers,
 * numbers with high bits set) from any vCPU, in 64-bit or 32-bit code,
 * with register values chosen for their edges (guest pointers inside RAM,
 * at and across its end,
 * wrapping, in the shm window; lengths 0, 4096, 4097, huge; ids live, dead,
 * stale or with high bits; VM ids registered or not), guest stores into RAM
 * (raw bytes, or a near-valid routing request so SET_GSI_ROUTING parses),
 * the free-page count (around LIMIT_FREE_PAGES_FLOOR) and allocation
 * failures.
 *
 * A shadow model of every VM (live doorbells with their GSI, flags, grants
 * and rings; routed GSIs; limits; a copy of guest RAM) gives the expected
 * answer of each call from docs/hypercall.md, include/tern/hypercall.h and
 * the headers of what it calls. Invariants, checked after every call:
 *  - the result is the documented success value, or one of the errors the
 *    rules the arguments break allow (when several apply, any of them; the
 *    orders the ABI fixes are kept: GRANT/REVOKE -EPERM first, -E2BIG before
 *    the entries are read); an unknown number gives exactly -1000;
 *  - outside 64-bit mode only the low halves of RAX and the argument
 *    registers count, and KVM_HC_SEND_IPI's bitmap words are 32 bits (as
 *    KVM): a fixed PV IPI lands in the IRR of exactly the vCPUs it names;
 *  - every error is in the call's documented list (docs/hypercall.md);
 *  - a refused call changes nothing: every VM's irq_dump() text (routing
 *    table, doorbells, grants, counters), chip state (vPIC/vIOAPIC dumps,
 *    vLAPIC dumps and register pages), console and guest RAM are as before;
 *  - a call that succeeds changes only the VMs it names (the caller; the
 *    owner for RING_VM, GRANT, REVOKE); guest RAM only in the buffer the
 *    call writes (QUERY, SHM_QUERY: the struct; IRQ_DUMP: the text and its
 *    NUL), with exactly the bytes expected; the console gets exactly the
 *    bytes CONSOLE_WRITE named; the GPRs are left alone;
 *  - after each call every shadow doorbell reads back the same through
 *    doorbell_query(), dead ids give -ENOENT, new ids are never reused, the
 *    grants match doorbell_remote_ringers(), the doorbell count is within
 *    the VM's limit, the table within its GSI and entry limits, and an
 *    accepted routing request is published entry for entry;
 *  - no allocation a hypercall makes goes below the free-page floor
 *    (kernel/limits.h: checked in the kzalloc hook), and -ENOMEM comes only
 *    when the floor or an injected failure explains it;
 *  - no vector 0-15 is ever pending or in service in a vLAPIC.
 *
 * FUZZ_VERBOSE=1 prints every call and its answer. The state comparisons
 * format dumps after each call; tests/fuzz/hypercall.nocov keeps that
 * formatting out of the coverage instrumentation (5x the executions).
 */
#include <tern/errno.h>
#include <tern/hypercall.h>
#include "irq/doorbell.h"
#include "irq/msi.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/hypercall.h"
#include "kernel/limits.h"
#include "kernel/vcpu.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_hc_vms.h"
#include "tests/unit/stub_kernel.h"

#define MAX_VMS    3
#define MAX_OPS    80
#define MAX_IDS    160           /* doorbell ids one VM can hand out in one input */
#define MAX_REQ    24            /* entries of a built routing request (big ones aside) */
#define DUMP_MAX   (1 << 20)
#define INFO_SIZE  sizeof(struct tern_doorbell_info)
#define SHM_SIZE   sizeof(struct tern_shm_info)
#define U32_MAX_   0xffffffffull

/* ---------------------------------------------------------------- shadow model */

struct sdb {
	u32 id, gsi, flags, rid;
	u64 rings;
	u32 grants;                  /* bit i: VM i may ring it */
	bool live;
};

struct sgsi {
	bool routed;
	bool msi;                    /* its route is one MSI (then alone) */
	u32 lo, hi, data;
};

struct svm {
	struct sdb db[MAX_IDS];
	unsigned nr_db;
	struct irq_routing_limits lim;
	struct sgsi gsi[IRQ_ROUTING_MAX_GSI];
	u8 *ram;                     /* what guest RAM must hold */
	u64 last_req;                /* gpa of the last routing request written */
};

static struct svm S[MAX_VMS];
static unsigned nr_vms;
static int control = -1;

/* The per-call state snapshot of one VM. */
struct snap {
	u64 irq, chips;
	size_t console;
	const void *table;
	int dump_len;
};

static char dump_buf[DUMP_MAX], chip_buf[65536], pre_dump[DUMP_MAX];

/* kzalloc hook state */
static bool in_call;
static unsigned fail_countdown;  /* n > 0: the n-th allocation of the calls from now fails */
static unsigned refused;         /* allocations the hook failed during this call */

/* FNV-1a over 8-byte words (then the tail bytes): a state fingerprint, not a secure hash. */
static u64 fnv(u64 h, const void *p, size_t n)
{
	const u8 *b = p;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		u64 w;

		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static bool kz_hook(size_t size)
{
	if (!in_call)
		return true;
	FUZZ_CHECK(limits_alloc_allowed(stub_free_pages, size),
		   "a hypercall allocated %zu bytes with %llu pages free (floor %u)", size,
		   (unsigned long long)stub_free_pages, LIMIT_FREE_PAGES_FLOOR);
	if (fail_countdown && --fail_countdown == 0) {
		refused++;
		return false;
	}
	return true;
}

static void snapshot(unsigned i, struct snap *s)
{
	struct vm *vm = hcvms[i].vm;
	int n;
	u64 h = 0xcbf29ce484222325ull;

	n = irq_dump(vm, dump_buf, sizeof(dump_buf));
	FUZZ_CHECK(n >= 0 && n < (int)sizeof(dump_buf) - 1 && dump_buf[n] == '\0', "irq_dump %d", n);
	s->irq = fnv(0xcbf29ce484222325ull, dump_buf, (size_t)n);
	s->dump_len = n;
	vpic_dump(vm, chip_buf, sizeof(chip_buf));
	h = fnv(h, chip_buf, strlen(chip_buf));
	vioapic_dump(vm, chip_buf, sizeof(chip_buf));
	h = fnv(h, chip_buf, strlen(chip_buf));
	for (unsigned c = 0; c < hcvms[i].nr_vcpus; c++) {
		vlapic_dump(vm, c, chip_buf, sizeof(chip_buf));
		h = fnv(h, chip_buf, strlen(chip_buf));
		h = fnv(h, vlapic_regs_page(vm, c), 4096);
	}
	s->chips = h;
	s->console = hcvms[i].console_len;
	s->table = vm_irq(vm)->routing;
}

/* The doorbell count and limit irq_dump() reports (dump_buf holds VM i's dump). */
static void dump_counts(unsigned *count, unsigned *limit)
{
	const char *p = strstr(dump_buf, "\ndoorbells = ");

	FUZZ_CHECK(p && sscanf(p, "\ndoorbells = %u (limit %u)", count, limit) == 2,
		   "no doorbell count in the dump");
}

static struct sdb *sdb_find(unsigned vm, u64 id)
{
	for (unsigned i = 0; i < S[vm].nr_db; i++)
		if (S[vm].db[i].id == id)
			return &S[vm].db[i];
	return NULL;
}

static struct sdb *sdb_live(unsigned vm, u64 id)
{
	struct sdb *d = id <= U32_MAX_ ? sdb_find(vm, id) : NULL;

	return d && d->live ? d : NULL;
}

static unsigned live_count(unsigned vm)
{
	unsigned n = 0;

	for (unsigned i = 0; i < S[vm].nr_db; i++)
		n += S[vm].db[i].live;
	return n;
}

static bool in_ram(unsigned vm, u64 gpa, u64 len)
{
	u64 size = hcvms[vm].ram_size;

	return len == 0 || (gpa < size && len <= size - gpa);
}

static void default_routes(unsigned vm)
{
	memset(S[vm].gsi, 0, sizeof(S[vm].gsi));
	for (u32 g = 0; g < IRQ_ROUTING_DEFAULT_GSIS; g++)
		S[vm].gsi[g].routed = g != 2;
}

/* ---------------------------------------------------------------- expectations */

struct expect {
	bool ok;                     /* success is allowed */
	bool ok_range;               /* success: any value in [lo, hi] */
	s64 lo, hi;
	int errs[12];                /* errors allowed (positive TERN_E*) */
	unsigned nr_errs;
};

static void allow(struct expect *e, int err)
{
	for (unsigned i = 0; i < e->nr_errs; i++)
		if (e->errs[i] == err)
			return;
	if (e->nr_errs < sizeof(e->errs) / sizeof(e->errs[0]))
		e->errs[e->nr_errs++] = err;
}

static void ok_value(struct expect *e, s64 v)
{
	e->ok = true;
	e->lo = e->hi = v;
}

/* The errors docs/hypercall.md lists for each call. */
static bool documented(u64 nr, int err)
{
	static const struct {
		u64 nr;
		int errs[10];
	} doc[] = {
		{ TERN_HC_CONSOLE_WRITE, { TERN_E2BIG, TERN_EFAULT } },
		{ TERN_HC_SET_GSI_ROUTING, { TERN_EFAULT, TERN_E2BIG, TERN_EINVAL, TERN_ERANGE,
					     TERN_EOPNOTSUPP, TERN_ENOSYS, TERN_ENOENT, TERN_EEXIST,
					     TERN_EBUSY, TERN_ENOMEM } },
		{ TERN_HC_IRQ_LINE, { TERN_EINVAL, TERN_ENOENT } },
		{ TERN_HC_DOORBELL_ASSIGN, { TERN_EINVAL, TERN_ERANGE, TERN_ENOSPC, TERN_ENOMEM,
					     TERN_ENOENT } },
		{ TERN_HC_DOORBELL_DEASSIGN, { TERN_ENOENT } },
		{ TERN_HC_DOORBELL_RING, { TERN_ENOENT } },
		{ TERN_HC_DOORBELL_QUERY, { TERN_ENOENT, TERN_EFAULT } },
		{ TERN_HC_IRQ_DUMP, { TERN_EFAULT } },
		{ TERN_HC_DOORBELL_RING_VM, { TERN_ENOENT, TERN_EPERM } },
		{ TERN_HC_DOORBELL_FIND, { TERN_ENOENT, TERN_EINVAL } },
		{ TERN_HC_DOORBELL_GRANT, { TERN_EPERM, TERN_EINVAL, TERN_ENOENT, TERN_ENOSPC } },
		{ TERN_HC_DOORBELL_REVOKE, { TERN_EPERM, TERN_EINVAL, TERN_ENOENT, TERN_ENOSPC } },
		{ TERN_HC_SHM_QUERY, { TERN_ENOENT, TERN_EFAULT } },
		{ KVM_HC_SEND_IPI, { TERN_EINVAL } },
	};

	for (size_t i = 0; i < sizeof(doc) / sizeof(doc[0]); i++)
		if (doc[i].nr == nr)
			for (unsigned k = 0; k < 10 && doc[i].errs[k]; k++)
				if (doc[i].errs[k] == err)
					return true;
	return false;
}

/* ---------------------------------------------------------------- routing requests */

static unsigned pins_of(u32 chip)
{
	return chip == TERN_IRQCHIP_IOAPIC ? IRQCHIP_IOAPIC_PINS : IRQCHIP_PIC_PINS;
}

/* The errors a request breaks (KVM's rules, irq/routing.h); none: valid. */
static void request_errors(const struct tern_irq_routing_entry *e, u32 nr, u32 flags,
			   const struct irq_routing_limits *lim, struct expect *x)
{
	if (flags)
		allow(x, TERN_EINVAL);
	for (u32 i = 0; i < nr; i++) {
		if (e[i].type == TERN_IRQ_ROUTING_IRQCHIP) {
			if (e[i].flags)
				allow(x, TERN_EINVAL);
			if (e[i].u.irqchip.irqchip >= TERN_NR_IRQCHIPS)
				allow(x, TERN_ENOENT);
			else if (e[i].u.irqchip.pin >= pins_of(e[i].u.irqchip.irqchip))
				allow(x, TERN_ERANGE);
		} else if (e[i].type == TERN_IRQ_ROUTING_MSI) {
			if (e[i].flags & ~TERN_MSI_VALID_DEVID)
				allow(x, TERN_EINVAL);
		} else if (e[i].type == TERN_IRQ_ROUTING_S390_ADAPTER ||
			   e[i].type == TERN_IRQ_ROUTING_HV_SINT) {
			allow(x, TERN_EOPNOTSUPP);
			continue;
		} else {
			allow(x, TERN_ENOSYS);
			continue;
		}
		if (e[i].gsi >= lim->max_gsi)
			allow(x, TERN_ERANGE);
		for (u32 j = 0; j < i; j++) {
			if (e[j].gsi != e[i].gsi || (e[j].type != TERN_IRQ_ROUTING_IRQCHIP &&
						     e[j].type != TERN_IRQ_ROUTING_MSI))
				continue;
			if (e[i].type == TERN_IRQ_ROUTING_MSI || e[j].type == TERN_IRQ_ROUTING_MSI)
				allow(x, TERN_EBUSY);
			else if (e[i].u.irqchip.irqchip == e[j].u.irqchip.irqchip)
				allow(x, TERN_EEXIST);
		}
	}
}

/* The published table holds exactly the request (irq/routing.h), within the limits. */
static void check_table(unsigned vm, const struct tern_irq_routing_entry *req, u32 nr)
{
	const struct irq_routing_table *t = vm_irq(hcvms[vm].vm)->routing;
	u32 top = 0, seen = 0;

	FUZZ_CHECK(t != NULL, "vm%u: no table", vm);
	for (u32 i = 0; i < nr; i++)
		top = req[i].gsi + 1 > top ? req[i].gsi + 1 : top;
	FUZZ_CHECK(t->nr_rt_entries == top && top <= S[vm].lim.max_gsi, "vm%u: nr_rt_entries %u, want %u",
		   vm, t->nr_rt_entries, top);
	for (u32 g = 0; g < t->nr_rt_entries; g++) {
		const struct irq_route_entry *r = t->map[g];

		for (u32 i = 0; i < nr; i++) {
			if (req[i].gsi != g)
				continue;
			FUZZ_CHECK(r && r->gsi == g && r->type == req[i].type, "vm%u gsi %u: route %u", vm, g, i);
			if (r->type == TERN_IRQ_ROUTING_MSI)
				FUZZ_CHECK(r->msi.address_lo == req[i].u.msi.address_lo &&
					   r->msi.address_hi == req[i].u.msi.address_hi &&
					   r->msi.data == req[i].u.msi.data, "vm%u gsi %u: msi", vm, g);
			else
				FUZZ_CHECK(r->irqchip.irqchip == req[i].u.irqchip.irqchip &&
					   r->irqchip.pin == req[i].u.irqchip.pin +
					   (r->irqchip.irqchip == TERN_IRQCHIP_PIC_SLAVE ? 8 : 0),
					   "vm%u gsi %u: pin route", vm, g);
			r = r->link;
			seen++;
		}
		FUZZ_CHECK(r == NULL, "vm%u gsi %u: extra routes", vm, g);
	}
	FUZZ_CHECK(seen == nr && nr <= S[vm].lim.max_entries, "vm%u: %u routes of %u", vm, seen, nr);
}

/* Guest stores: a routing request at gpa (cut at the end of RAM). */
static void write_request(struct fuzz_in *in, unsigned vm)
{
	static struct tern_irq_routing_entry e[1200];
	u64 size = hcvms[vm].ram_size, gpa;
	u8 b = fin_u8(in);
	struct tern_irq_routing hdr;
	u32 nr, built;

	nr = (b & 7) == 7 ? fin_u16(in) % 1200 : fin_u8(in) % (MAX_REQ + 1);
	switch ((b >> 3) & 3) {
	case 0:  gpa = size > 8 + nr * 48ull ? size - 8 - nr * 48ull : 0; break;   /* ends at RAM's end */
	case 1:  gpa = fin_u16(in) % size; break;
	default: gpa = (fin_u16(in) % (size / 8 + 1)) * 8 % size; break;
	}
	hdr.nr = (b >> 5) == 7 ? fin_u32(in) : nr;
	hdr.flags = (b >> 5) == 6 ? fin_u8(in) | 1u : 0;
	built = nr;
	memset(e, 0, sizeof(e[0]) * built);
	for (u32 i = 0; i < built; i++) {
		u8 c = nr > MAX_REQ ? 2 : fin_u8(in);

		if (nr > MAX_REQ) {          /* a big one: an MSI route per GSI */
			e[i].gsi = i;
			e[i].type = TERN_IRQ_ROUTING_MSI;
			e[i].u.msi.address_lo = 0xfee00000u;
			e[i].u.msi.data = 0x40u + (i & 0x7f);
			continue;
		}
		e[i].gsi = c & 0x80 ? fin_u16(in) : c % 40;
		switch (fin_u8(in) % 16) {
		case 0: case 1: case 2:
			e[i].type = TERN_IRQ_ROUTING_MSI;
			e[i].u.msi.address_lo = fin_u8(in) % 8 ? 0xfee00000u | (u32)(fin_u8(in) & 3) << 12 :
					   fin_u32(in);
			e[i].u.msi.data = fin_u8(in) % 8 ? 0x20u + fin_u8(in) : fin_u16(in);
			e[i].flags = fin_u8(in) % 8 == 0 ? fin_u8(in) : 0;
			break;
		case 3:
			e[i].type = fin_u8(in) % 8;
			break;
		default:
			e[i].type = TERN_IRQ_ROUTING_IRQCHIP;
			e[i].u.irqchip.irqchip = fin_u8(in) % 8 == 7 ? fin_u8(in) : fin_u8(in) % 3;
			e[i].u.irqchip.pin = fin_u8(in) % 26;
			e[i].flags = fin_u8(in) % 32 == 0;
			break;
		}
	}
	for (u64 off = 0; off < sizeof(hdr) && gpa + off < size; off++)
		hcvms[vm].ram[gpa + off] = ((const u8 *)&hdr)[off];
	for (u64 off = 0; off < built * sizeof(e[0]) && gpa + 8 + off < size; off++)
		hcvms[vm].ram[gpa + 8 + off] = ((const u8 *)e)[off];
	memcpy(S[vm].ram, hcvms[vm].ram, size);
	S[vm].last_req = gpa;
}

/* ---------------------------------------------------------------- argument choice */

static u64 pick_gpa(struct fuzz_in *in, unsigned vm, u64 objsz)
{
	u64 size = hcvms[vm].ram_size;
	u8 b = fin_u8(in);

	switch (b % 20) {
	case 0:  return 0;
	case 1:  return objsz <= size ? size - objsz : 0;                 /* ends at RAM's end */
	case 2:  return objsz <= size ? size - objsz + 1 + fin_u8(in) % 8 : size - 1;  /* across it */
	case 3:  return size - 1 - fin_u8(in) % (size < 4 ? size : 4);
	case 4:  return size + fin_u8(in);                                 /* past it */
	case 5:  return ~0ull - fin_u8(in);                                /* wraps */
	case 6:  return 0ull - objsz + fin_u8(in) % 4;                     /* ends at or past 2^64 */
	case 7:  return fin_u64(in);
	case 8:  return TERN_SHM_WINDOW_GPA + fin_u8(in) * 4096ull;      /* shared memory */
	case 9:  return 0x100000000ull + fin_u16(in);                     /* high RAM (elsewhere) */
	case 10: return (u64)fin_u16(in) | 1ull << 32;                    /* RAM + 4 GiB */
	case 11: return S[vm].last_req;
	default: return fin_u16(in) % size;                                /* inside */
	}
}

static u64 pick_len(struct fuzz_in *in, unsigned vm)
{
	static const u64 lens[] = { 0, 1, 2, 47, 48, 64, 4095, 4096, 4097, 8192, 1ull << 32,
				    ~0ull, 1ull << 63, 0x100000001ull };
	u8 b = fin_u8(in);

	if (b < 0x80)
		return lens[b % (sizeof(lens) / sizeof(lens[0]))];
	if (b < 0xc0)
		return fin_u16(in) % 4200;
	if (b < 0xe0)
		return hcvms[vm].ram_size - fin_u8(in) % 4;
	return fin_u64(in);
}

/* A doorbell id of VM owner: live, dead, stale, with high bits, or anything. */
static u64 pick_id(struct fuzz_in *in, unsigned owner)
{
	u8 b = fin_u8(in);
	const struct svm *s = &S[owner];
	u32 id = s->nr_db ? s->db[fin_u8(in) % s->nr_db].id : 0;

	switch (b % 12) {
	case 0:  return 0;
	case 1:  return fin_u32(in);
	case 2:  return fin_u64(in);
	case 3:  return (u64)id | 1ull << 32;                           /* truncates to a live one */
	case 4:  return id + DOORBELL_SLOTS;                           /* same slot, another generation */
	case 5:  return U32_MAX_;
	case 6:  return ~0ull;
	default: return id;
	}
}

static u64 pick_vmid(struct fuzz_in *in)
{
	u8 b = fin_u8(in);

	switch (b % 10) {
	case 0:  return nr_vms + b / 10 % (CONFIG_MAX_VMS - nr_vms + 2);   /* not registered */
	case 1:  return (u64)(b / 10 % nr_vms) | 1ull << 32;
	case 2:  return b & 0x80 ? ~0ull : U32_MAX_;
	case 3:  return fin_u64(in);
	default: return b / 10 % nr_vms;
	}
}

static u64 pick_gsi(struct fuzz_in *in, unsigned vm)
{
	u8 b = fin_u8(in);
	const struct svm *s = &S[vm];

	switch (b % 12) {
	case 0:  return s->lim.max_gsi - 1;
	case 1:  return s->lim.max_gsi;
	case 2:  return fin_u32(in);
	case 3:  return (u64)(b % 24) | 1ull << 32;
	case 4: case 5: case 6: case 7:
		return s->nr_db ? s->db[fin_u8(in) % s->nr_db].gsi : 5;
	default: return fin_u8(in) % 48;
	}
}

/* ---------------------------------------------------------------- one hypercall */

static const u64 known[] = {
	TERN_HC_NULL, TERN_HC_VERSION, TERN_HC_CONSOLE_WRITE, TERN_HC_SET_GSI_ROUTING,
	TERN_HC_IRQ_LINE, TERN_HC_DOORBELL_ASSIGN, TERN_HC_DOORBELL_DEASSIGN,
	TERN_HC_DOORBELL_RING, TERN_HC_DOORBELL_QUERY, TERN_HC_IRQ_DUMP, TERN_HC_VM_SELF,
	TERN_HC_DOORBELL_RING_VM, TERN_HC_DOORBELL_FIND, TERN_HC_DOORBELL_GRANT,
	TERN_HC_DOORBELL_REVOKE, TERN_HC_SHM_QUERY, KVM_HC_SEND_IPI,
	/* the busy ones again, for weight */
	TERN_HC_SET_GSI_ROUTING, TERN_HC_DOORBELL_ASSIGN, TERN_HC_DOORBELL_ASSIGN,
	TERN_HC_DOORBELL_RING_VM, TERN_HC_DOORBELL_GRANT, TERN_HC_IRQ_LINE, TERN_HC_DOORBELL_QUERY,
};
#define NR_KNOWN (sizeof(known) / sizeof(known[0]))

static bool is_known(u64 nr)
{
	for (unsigned i = 0; i < NR_KNOWN; i++)
		if (known[i] == nr)
			return true;
	return false;
}

static u64 pick_nr(struct fuzz_in *in)
{
	u8 b = fin_u8(in);

	if (b < 0xd0)
		return known[b % NR_KNOWN];
	switch (b % 6) {
	case 0:  return TERN_HC_BASE + fin_u8(in) % 0x40;      /* the holes and past the table */
	case 1:  return fin_u8(in) % 16;                       /* KVM's numbers */
	case 2:  return known[fin_u8(in) % NR_KNOWN] | (u64)fin_u32(in) << 32;
	case 3:  return TERN_HC_BASE - 1 - fin_u8(in);
	default: return fin_u64(in);
	}
}

/* The call and its arguments, the expected result, and what it may change. */
struct call {
	unsigned vm, vcpu;
	bool long_mode;               /* the caller runs 64-bit code (else 32-bit) */
	u64 nr, a[4];                 /* RAX, RBX, RCX, RDX, RSI; then as the call reads them */
	struct expect x;
	int owner;                    /* another VM whose state may change on success, or -1 */
	bool writes;                  /* success writes guest RAM at wgpa (wlen bytes) */
	u64 ipi_targets;              /* KVM_HC_SEND_IPI, fixed: the vCPUs it names */
	u64 ipi_pending;              /* and those with its vector in IRR before */
	u8 ipi_vector;
	u64 wgpa, wlen;
	u8 want[VCPU_HC_BUF_SIZE];    /* what it must write (QUERY, SHM_QUERY, IRQ_DUMP) */
	u32 req_nr;                   /* SET_GSI_ROUTING: the request read */
	struct tern_irq_routing_entry *req;
};

static struct tern_irq_routing_entry req_copy[LIMIT_VM_ROUTE_ENTRIES];

/* The vCPUs of VM vm with vector in IRR. */
static u64 irr_with(unsigned vm, u8 vector)
{
	u64 set = 0;

	for (unsigned c = 0; c < hcvms[vm].nr_vcpus; c++) {
		const u8 *p = vlapic_regs_page(hcvms[vm].vm, c);
		u32 w;

		memcpy(&w, p + APIC_REG_IRR + (vector / 32) * 16, 4);
		set |= (u64)((w >> (vector % 32)) & 1) << c;
	}
	return set;
}

/* Fill c->x (and what the call may write) from the shadow, before the call. */
static void predict(struct call *c)
{
	struct expect *x = &c->x;
	struct svm *s = &S[c->vm];
	u64 a0 = c->a[0], a1 = c->a[1], a2 = c->a[2];

	memset(x, 0, sizeof(*x));
	c->owner = -1;
	c->writes = false;
	c->ipi_targets = 0;
	switch (c->nr) {
	case TERN_HC_NULL:
		ok_value(x, 0);
		break;
	case TERN_HC_VERSION:
		ok_value(x, TERN_HC_ABI_VERSION);
		break;
	case TERN_HC_CONSOLE_WRITE:
		if (a1 > LIMIT_HC_CONSOLE_BYTES)
			allow(x, TERN_E2BIG);
		else if (!in_ram(c->vm, a0, a1))
			allow(x, TERN_EFAULT);
		else
			ok_value(x, (s64)a1);
		break;
	case TERN_HC_SET_GSI_ROUTING: {
		struct tern_irq_routing hdr;
		u32 lim = MIN(s->lim.max_entries, (u32)IRQ_ROUTING_MAX_ENTRIES);
		u64 table;
		unsigned nerr;
		bool floor, valid;

		if (!in_ram(c->vm, a0, sizeof(hdr))) {
			allow(x, TERN_EFAULT);
			break;
		}
		memcpy(&hdr, s->ram + a0, sizeof(hdr));
		if (hdr.nr > lim) {
			allow(x, TERN_E2BIG);   /* before the size is computed: nothing else */
			break;
		}
		/* the entries' copy must stay above the floor */
		floor = hdr.nr && !limits_alloc_allowed(stub_free_pages, (u64)hdr.nr * 48);
		if (floor)
			allow(x, TERN_ENOMEM);
		if (!in_ram(c->vm, a0 + sizeof(hdr), (u64)hdr.nr * 48)) {
			allow(x, TERN_EFAULT);
			break;
		}
		c->req_nr = hdr.nr;
		c->req = req_copy;
		memcpy(req_copy, s->ram + a0 + sizeof(hdr), (size_t)hdr.nr * 48);
		nerr = x->nr_errs;
		request_errors(req_copy, hdr.nr, hdr.flags, &s->lim, x);
		valid = x->nr_errs == nerr;
		/* so must the new table: header, map[], the entries (an upper bound of its size) */
		table = sizeof(struct irq_routing_table) + IRQ_ROUTING_MAX_GSI * sizeof(void *) +
			(u64)hdr.nr * sizeof(struct irq_route_entry) + 64;
		if (!limits_alloc_allowed(stub_free_pages, table))
			allow(x, TERN_ENOMEM);
		if (valid && !floor)
			ok_value(x, 0);
		break;
	}
	case TERN_HC_IRQ_LINE: {
		const struct sgsi *g = a0 < IRQ_ROUTING_MAX_GSI ? &s->gsi[a0] : NULL;
		struct lapic_irq irq;

		if (a0 > U32_MAX_ || a0 >= s->lim.max_gsi)
			allow(x, TERN_EINVAL);
		else if (!g->routed)
			allow(x, TERN_ENOENT);
		else if (g->msi && a1 && msi_decode(g->lo, g->hi, g->data, &irq))
			allow(x, TERN_EINVAL);   /* the GSI's only route cannot deliver */
		else
			ok_value(x, 0);
		break;
	}
	case TERN_HC_DOORBELL_ASSIGN:
		if (a0 > U32_MAX_ || a1 > U32_MAX_ || a2 > U32_MAX_) {
			allow(x, TERN_EINVAL);
		} else if (a1 & TERN_DOORBELL_FLAG_DEASSIGN) {
			struct sdb *d = sdb_live(c->vm, a2);

			if (a1 != TERN_DOORBELL_FLAG_DEASSIGN)
				allow(x, TERN_EINVAL);
			if (!d || d->gsi != a0)
				allow(x, TERN_ENOENT);
			if (!x->nr_errs)
				ok_value(x, 0);
		} else {
			if ((a1 & ~(u64)TERN_DOORBELL_FLAG_RESAMPLE) ||
			    !!(a1 & TERN_DOORBELL_FLAG_RESAMPLE) != (a2 != 0))
				allow(x, TERN_EINVAL);
			if (a0 >= s->lim.max_gsi)
				allow(x, TERN_ERANGE);
			if (!limits_alloc_allowed(stub_free_pages, 4096))
				allow(x, TERN_ENOMEM);
			if (live_count(c->vm) >= s->lim.max_doorbells)
				allow(x, TERN_ENOSPC);
			if (!x->nr_errs) {
				x->ok = x->ok_range = true;   /* a new id: checked when applied */
				x->lo = 1;
				x->hi = 0x7fffffff;
			}
		}
		break;
	case TERN_HC_DOORBELL_DEASSIGN:
	case TERN_HC_DOORBELL_RING:
		if (!sdb_live(c->vm, a0))
			allow(x, TERN_ENOENT);
		else
			ok_value(x, 0);
		break;
	case TERN_HC_DOORBELL_QUERY:
		if (!sdb_live(c->vm, a0)) {
			allow(x, TERN_ENOENT);
		} else if (!in_ram(c->vm, a1, INFO_SIZE)) {
			allow(x, TERN_EFAULT);
		} else {
			struct tern_doorbell_info info;

			FUZZ_CHECK(doorbell_query(hcvms[c->vm].vm, (u32)a0, &info) == 0, "query %llx",
				   (unsigned long long)a0);
			ok_value(x, 0);
			c->writes = true;
			c->wgpa = a1;
			c->wlen = INFO_SIZE;
			memcpy(c->want, &info, INFO_SIZE);
		}
		break;
	case TERN_HC_IRQ_DUMP: {
		int n = irq_dump(hcvms[c->vm].vm, pre_dump, sizeof(pre_dump));
		u64 l = MIN(a1, (u64)VCPU_HC_BUF_SIZE);

		if (a1 == 0) {
			ok_value(x, 0);
			break;
		}
		if ((u64)n > l - 1)
			n = (int)(l - 1);
		if (!in_ram(c->vm, a0, (u64)n + 1)) {
			allow(x, TERN_EFAULT);
			break;
		}
		ok_value(x, n);
		c->writes = true;
		c->wgpa = a0;
		c->wlen = (u64)n + 1;
		memcpy(c->want, pre_dump, (size_t)n);
		c->want[n] = '\0';
		break;
	}
	case TERN_HC_VM_SELF:
		ok_value(x, c->vm);
		break;
	case TERN_HC_DOORBELL_RING_VM: {
		const struct sdb *d;

		if (a0 > U32_MAX_ || a0 >= nr_vms || !(d = sdb_live((unsigned)a0, a1))) {
			allow(x, TERN_ENOENT);
			break;
		}
		if (a0 != c->vm && !(d->grants & BIT(c->vm)))
			allow(x, TERN_EPERM);
		else
			ok_value(x, 0);
		c->owner = (int)a0;
		break;
	}
	case TERN_HC_DOORBELL_FIND: {
		bool any = false;

		if (a1 > U32_MAX_)
			allow(x, TERN_EINVAL);
		if (a0 > U32_MAX_ || a0 >= nr_vms) {
			allow(x, TERN_ENOENT);
			break;
		}
		for (unsigned i = 0; i < S[a0].nr_db; i++) {
			const struct sdb *d = &S[a0].db[i];

			any |= d->live && d->gsi == a1 && ((int)c->vm == control || a0 == c->vm ||
							   (d->grants & BIT(c->vm)));
		}
		if (!any)
			allow(x, TERN_ENOENT);
		if (!x->nr_errs) {
			x->ok = x->ok_range = true;   /* one of them: checked when applied */
			x->lo = 1;
			x->hi = 0x7fffffff;
		}
		break;
	}
	case TERN_HC_DOORBELL_GRANT:
	case TERN_HC_DOORBELL_REVOKE: {
		const struct sdb *d;

		if ((int)c->vm != control) {
			allow(x, TERN_EPERM);     /* checked first */
			break;
		}
		if (a0 > U32_MAX_ || a1 > U32_MAX_ || a2 > U32_MAX_ || a0 == a2)
			allow(x, TERN_EINVAL);
		if (a0 >= nr_vms || a2 >= nr_vms) {
			allow(x, TERN_ENOENT);
			break;
		}
		d = sdb_live((unsigned)a0, a1);
		if (!d || (c->nr == TERN_HC_DOORBELL_REVOKE && !(d->grants & BIT(a2))))
			allow(x, TERN_ENOENT);
		if (!x->nr_errs)
			ok_value(x, 0);
		c->owner = (int)a0;
		break;
	}
	case TERN_HC_SHM_QUERY:
		if (a0 >= hcvms[c->vm].nr_shm) {
			allow(x, TERN_ENOENT);
		} else if (!in_ram(c->vm, a1, SHM_SIZE)) {
			allow(x, TERN_EFAULT);
		} else {
			ok_value(x, 0);
			c->writes = true;
			c->wgpa = a1;
			c->wlen = SHM_SIZE;
			memcpy(c->want, &hcvms[c->vm].shm[a0], SHM_SIZE);
		}
		break;
	case KVM_HC_SEND_IPI: {
		u32 lo = (u32)c->a[3], min = (u32)a2;
		unsigned dm = (lo & APIC_ICR_DM_MASK) >> APIC_ICR_DM_SHIFT;
		unsigned cluster = c->long_mode ? 64 : 32;   /* KVM's bitmap word for the mode */
		s64 targets = 0;

		if ((lo & (APIC_ICR_DEST_LOGICAL | APIC_ICR_SH_MASK)) ||
		    (dm != LAPIC_DM_FIXED && dm != LAPIC_DM_NMI)) {
			allow(x, TERN_EINVAL);
			break;
		}
		c->ipi_targets = 0;
		for (unsigned b = 0; b < 2 * cluster; b++) {
			u64 id = (u64)min + b;

			if ((((b < cluster ? a0 : a1) >> (b % cluster)) & 1) && id < hcvms[c->vm].nr_vcpus) {
				targets++;
				c->ipi_targets |= BIT64(id);
			}
		}
		c->ipi_vector = (u8)lo;
		if (dm == LAPIC_DM_FIXED && c->ipi_vector >= 16)
			c->ipi_pending = irr_with(c->vm, c->ipi_vector);
		else
			c->ipi_targets = 0;   /* NMIs and illegal vectors reach no IRR */
		x->ok = x->ok_range = true;
		x->lo = 0;
		x->hi = targets;
		break;
	}
	default:
		allow(x, TERN_KVM_ENOSYS);
		break;
	}
}

/* The shadow after a call that returned rc >= 0. */
static void apply(struct call *c, s64 rc)
{
	struct svm *s = &S[c->vm];
	u64 a0 = c->a[0], a1 = c->a[1], a2 = c->a[2];

	switch (c->nr) {
	case TERN_HC_SET_GSI_ROUTING:
		check_table(c->vm, c->req, c->req_nr);
		memset(s->gsi, 0, sizeof(s->gsi));
		for (u32 i = 0; i < c->req_nr; i++) {
			struct sgsi *g = &s->gsi[c->req[i].gsi];

			g->routed = true;
			g->msi = c->req[i].type == TERN_IRQ_ROUTING_MSI;
			g->lo = c->req[i].u.msi.address_lo;
			g->hi = c->req[i].u.msi.address_hi;
			g->data = c->req[i].u.msi.data;
		}
		break;
	case TERN_HC_DOORBELL_ASSIGN:
		if (a1 & TERN_DOORBELL_FLAG_DEASSIGN) {
			sdb_live(c->vm, a2)->live = false;
			break;
		}
		FUZZ_CHECK(!sdb_find(c->vm, (u64)rc), "vm%u: doorbell id %lld handed out again", c->vm,
			   (long long)rc);
		FUZZ_CHECK(s->nr_db < MAX_IDS, "shadow full");
		s->db[s->nr_db++] = (struct sdb){ (u32)rc, (u32)a0, (u32)a1, (u32)a2, 0, 0, true };
		break;
	case TERN_HC_DOORBELL_DEASSIGN:
		sdb_live(c->vm, a0)->live = false;
		break;
	case TERN_HC_DOORBELL_RING:
		sdb_live(c->vm, a0)->rings++;
		break;
	case TERN_HC_DOORBELL_RING_VM:
		sdb_live((unsigned)a0, a1)->rings++;
		break;
	case TERN_HC_DOORBELL_FIND: {
		const struct sdb *d = sdb_live((unsigned)a0, (u64)rc);

		FUZZ_CHECK(d && d->gsi == a1 && ((int)c->vm == control || a0 == c->vm ||
						 (d->grants & BIT(c->vm))),
			   "vm%u: find(vm%llu, gsi %llu) = %lld, not a doorbell it may ring there", c->vm,
			   (unsigned long long)a0, (unsigned long long)a1, (long long)rc);
		break;
	}
	case TERN_HC_DOORBELL_GRANT:
		sdb_live((unsigned)a0, a1)->grants |= BIT(a2);
		break;
	case TERN_HC_DOORBELL_REVOKE:
		sdb_live((unsigned)a0, a1)->grants &= ~BIT(a2);
		break;
	default:
		break;
	}
}

/*
 * VM vm's doorbells read back as the shadow has them; the limits hold.
 * dump_buf holds vm's irq_dump() (snapshot() of vm just before).
 */
static void check_shadow(unsigned vm)
{
	const struct svm *s = &S[vm];
	u64 ringers = 0;
	unsigned count, limit;

	for (unsigned i = 0; i < s->nr_db; i++) {
		const struct sdb *d = &s->db[i];
		struct tern_doorbell_info info;
		int rc = doorbell_query(hcvms[vm].vm, d->id, &info);

		if (!d->live) {
			FUZZ_CHECK(rc == -TERN_ENOENT, "vm%u: dead doorbell %u answers %d", vm, d->id, rc);
			continue;
		}
		FUZZ_CHECK(rc == 0 && info.id == d->id && info.gsi == d->gsi && info.flags == d->flags &&
			   info.resample_id == d->rid && info.rings == d->rings &&
			   info.deliveries <= info.rings,
			   "vm%u doorbell %u: rc %d gsi %u flags %x rid %u rings %llu (shadow %llu)", vm,
			   d->id, rc, info.gsi, info.flags, info.resample_id,
			   (unsigned long long)info.rings, (unsigned long long)d->rings);
		ringers |= d->grants & ~BIT(vm);
	}
	FUZZ_CHECK(doorbell_remote_ringers(hcvms[vm].vm) == ringers, "vm%u: ringers %llx, shadow %llx",
		   vm, (unsigned long long)doorbell_remote_ringers(hcvms[vm].vm),
		   (unsigned long long)ringers);
	dump_counts(&count, &limit);
	FUZZ_CHECK(count == live_count(vm) && limit == s->lim.max_doorbells && count <= limit,
		   "vm%u: %u doorbells (limit %u), shadow %u", vm, count, limit, live_count(vm));
}

static void check_vlapics(unsigned vm)
{
	for (unsigned c = 0; c < hcvms[vm].nr_vcpus; c++) {
		const u8 *p = vlapic_regs_page(hcvms[vm].vm, c);
		u32 irr, isr;

		memcpy(&irr, p + APIC_REG_IRR, 4);
		memcpy(&isr, p + APIC_REG_ISR, 4);
		FUZZ_CHECK(!(irr & 0xffff) && !(isr & 0xffff), "vm%u cpu%u: vector < 16 in IRR/ISR", vm, c);
	}
}

static struct snap before[MAX_VMS];
static bool verbose;   /* FUZZ_VERBOSE=1: print every call and its answer */

static void do_call(struct call *c)
{
	struct vcpu *v = hcvms[c->vm].vcpu[c->vcpu];
	struct expect *x = &c->x;
	u64 gpr[GPR_COUNT];
	s64 rc;
	bool err;

	memcpy(gpr, v->gpr, sizeof(gpr));
	gpr[GPR_RAX] = c->nr;
	gpr[GPR_RBX] = c->a[0];
	gpr[GPR_RCX] = c->a[1];
	gpr[GPR_RDX] = c->a[2];
	gpr[GPR_RSI] = c->a[3];
	/* outside 64-bit mode only the low halves count (docs/hypercall.md, as KVM) */
	if (!c->long_mode) {
		c->nr = (u32)c->nr;
		for (unsigned i = 0; i < 4; i++)
			c->a[i] = (u32)c->a[i];
	}
	predict(c);
	refused = 0;
	in_call = true;
	rc = hcvm_call_mode(c->vm, c->vcpu, c->long_mode, gpr[GPR_RAX], gpr[GPR_RBX], gpr[GPR_RCX],
			    gpr[GPR_RDX], gpr[GPR_RSI]);
	in_call = false;
	FUZZ_CHECK(!memcmp(gpr, v->gpr, sizeof(gpr)), "hc %#llx changed the caller's GPRs",
		   (unsigned long long)c->nr);

	if (verbose)
		fprintf(stderr, "vm%u cpu%u %s: hc %#llx(%#llx, %#llx, %#llx, %#llx) = %lld\n", c->vm,
			c->vcpu, c->long_mode ? "64-bit" : "32-bit", (unsigned long long)gpr[GPR_RAX],
			(unsigned long long)gpr[GPR_RBX], (unsigned long long)gpr[GPR_RCX],
			(unsigned long long)gpr[GPR_RDX], (unsigned long long)gpr[GPR_RSI], (long long)rc);
	/* the answer */
	if (refused && (is_known(c->nr) && c->nr != KVM_HC_SEND_IPI))
		allow(x, TERN_ENOMEM);
	err = rc < 0;
	if (err) {
		bool found = false;

		for (unsigned i = 0; i < x->nr_errs; i++)
			found |= rc == -(s64)x->errs[i];
		FUZZ_CHECK(found, "vm%u: hc %#llx(%llx, %llx, %llx, %llx) = %lld: not an allowed error"
			   " (%u allowed, first %d; success %s)", c->vm, (unsigned long long)c->nr,
			   (unsigned long long)c->a[0], (unsigned long long)c->a[1],
			   (unsigned long long)c->a[2], (unsigned long long)c->a[3], (long long)rc,
			   x->nr_errs, x->nr_errs ? -x->errs[0] : 0, x->ok ? "allowed" : "not allowed");
		FUZZ_CHECK(rc == -TERN_KVM_ENOSYS ? !is_known(c->nr) : documented(c->nr, (int)-rc),
			   "hc %#llx: error %lld not documented", (unsigned long long)c->nr, (long long)rc);
	} else {
		FUZZ_CHECK(x->ok && rc >= x->lo && rc <= x->hi,
			   "vm%u: hc %#llx(%llx, %llx, %llx, %llx) = %lld: want %s [%lld, %lld]", c->vm,
			   (unsigned long long)c->nr, (unsigned long long)c->a[0],
			   (unsigned long long)c->a[1], (unsigned long long)c->a[2],
			   (unsigned long long)c->a[3], (long long)rc,
			   x->ok ? "a value in" : "an error, not success", (long long)x->lo,
			   (long long)x->hi);
		apply(c, rc);
		if (c->ipi_targets) {
			u64 now = irr_with(c->vm, c->ipi_vector);

			FUZZ_CHECK((now & c->ipi_targets) == c->ipi_targets &&
				   (now & ~c->ipi_targets) == (c->ipi_pending & ~c->ipi_targets),
				   "vm%u: PV IPI vector %#x: IRR on vCPUs %llx, want %llx (before %llx)",
				   c->vm, c->ipi_vector, (unsigned long long)now,
				   (unsigned long long)c->ipi_targets, (unsigned long long)c->ipi_pending);
		}
	}

	/* guest RAM: only the buffer a successful call writes, with what it must hold */
	for (unsigned i = 0; i < nr_vms; i++) {
		u64 size = hcvms[i].ram_size;

		if (!err && c->writes && i == c->vm) {
			FUZZ_CHECK(!memcmp(hcvms[i].ram + c->wgpa, c->want, c->wlen),
				   "vm%u: hc %#llx wrote the wrong bytes at %llx", i,
				   (unsigned long long)c->nr, (unsigned long long)c->wgpa);
			memcpy(S[i].ram + c->wgpa, c->want, c->wlen);
		}
		FUZZ_CHECK(!memcmp(hcvms[i].ram, S[i].ram, size), "vm%u: hc %#llx (rc %lld) changed guest "
			   "RAM outside its buffer", i, (unsigned long long)c->nr, (long long)rc);
	}

	/* state: a refused call changes nothing; a successful one only the VMs it names */
	for (unsigned i = 0; i < nr_vms; i++) {
		struct snap now;
		bool named = !err && (i == c->vm || (int)i == c->owner);

		snapshot(i, &now);
		if (!named) {
			FUZZ_CHECK(now.irq == before[i].irq && now.table == before[i].table,
				   "vm%u: hc %#llx from vm%u (rc %lld) changed its routing or doorbells", i,
				   (unsigned long long)c->nr, c->vm, (long long)rc);
			FUZZ_CHECK(now.chips == before[i].chips, "vm%u: hc %#llx from vm%u (rc %lld) "
				   "changed its interrupt controllers", i, (unsigned long long)c->nr, c->vm,
				   (long long)rc);
		}
		if (!(named && c->nr == TERN_HC_CONSOLE_WRITE))
			FUZZ_CHECK(now.console == before[i].console, "vm%u: console written by hc %#llx", i,
				   (unsigned long long)c->nr);
		else
			FUZZ_CHECK(now.console == before[i].console + c->a[1] &&
				   (!c->a[1] || now.console > HCVM_CONSOLE_MAX ||
				    !memcmp(hcvms[i].console + before[i].console, S[i].ram + c->a[0],
					    c->a[1])), "vm%u: console got the wrong bytes", i);
		check_shadow(i);
		check_vlapics(i);
		before[i] = now;
	}
}

/* ---------------------------------------------------------------- setup */

static int setup(struct fuzz_in *in)
{
	static const u64 sizes[] = { 4096, 16384, 65536, 12345, 8, 4096 * 3 + 100 };
	struct hcvm_config cfg[MAX_VMS];
	u8 b = fin_u8(in);

	nr_vms = 2 + (b & 1);
	control = (b >> 1) % 8 == 7 ? -1 : (int)((b >> 1) % nr_vms);
	memset(cfg, 0, sizeof(cfg));
	memset(S, 0, sizeof(S));
	for (unsigned i = 0; i < nr_vms; i++) {
		struct hcvm_config *c = &cfg[i];
		u8 v = fin_u8(in);

		c->ram_size = sizes[v % 6];
		c->nr_vcpus = fin_u8(in) % 8 == 7 ? 33 + fin_u8(in) % 8 : 1 + ((v >> 3) & 1);
		c->control = (int)i == control;
		c->nr_shm = (v >> 4) % (HCVM_MAX_SHM + 1);
		c->nr_doorbells = (v >> 6) % 3;
		c->lim = (struct irq_routing_limits){ IRQ_ROUTING_MAX_GSI, IRQ_ROUTING_MAX_ENTRIES,
						      DOORBELL_MAX_DEFAULT };
		if (fin_u8(in) % 4 == 0) {
			c->limits = true;
			c->lim.max_gsi = IRQ_ROUTING_DEFAULT_GSIS + fin_u8(in) % 48;
			c->lim.max_entries = IRQ_ROUTING_DEFAULT_ENTRIES + fin_u8(in) % 64;
			c->lim.max_doorbells = c->nr_doorbells + fin_u8(in) % 6;
		}
		for (unsigned k = 0; k < c->nr_doorbells; k++) {
			c->doorbells[k].gsi = (fin_u8(in) % 40 + k * 40) % c->lim.max_gsi;
			c->doorbells[k].ringers = fin_u8(in) & (BIT(nr_vms) - 1) & ~BIT(i);
		}
		if (c->nr_doorbells == 2 && c->doorbells[0].gsi == c->doorbells[1].gsi)
			c->nr_doorbells = 1;   /* doorbell=: one GSI once per owner */
		S[i].lim = c->lim;
	}
	if (hcvm_setup(nr_vms, cfg))
		return -1;
	for (unsigned i = 0; i < nr_vms; i++) {
		S[i].ram = malloc(hcvms[i].ram_size);
		if (!S[i].ram)
			abort();
		for (u64 k = 0; k < hcvms[i].ram_size && fin_more(in) && k < 64; k++)
			hcvms[i].ram[k] = fin_u8(in);
		memcpy(S[i].ram, hcvms[i].ram, hcvms[i].ram_size);
		default_routes(i);
		for (unsigned k = 0; k < cfg[i].nr_doorbells; k++) {
			int id = doorbell_find(hcvms[i].vm, cfg[i].doorbells[k].gsi, DOORBELL_VM_ID_ANY);

			FUZZ_CHECK(id > 0, "vm%u: doorbell= on gsi %u missing", i, cfg[i].doorbells[k].gsi);
			S[i].db[S[i].nr_db++] = (struct sdb){ (u32)id, cfg[i].doorbells[k].gsi, 0, 0, 0,
							    cfg[i].doorbells[k].ringers, true };
		}
	}
	return 0;
}

static void teardown(void)
{
	hcvm_teardown();
	for (unsigned i = 0; i < nr_vms; i++) {
		free(S[i].ram);
		S[i].ram = NULL;
	}
	stub_free_pages = 1u << 20;
	fail_countdown = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct call c;
	struct fuzz_in in = { data, size };

	stub_kzalloc_hook = kz_hook;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (setup(&in)) {
		teardown();
		return 0;
	}
	for (unsigned i = 0; i < nr_vms; i++)
		snapshot(i, &before[i]);
	for (unsigned op = 0; op < MAX_OPS && fin_more(&in); op++) {
		u8 b = fin_u8(&in);
		unsigned vm = fin_u8(&in) % nr_vms;

		switch (b % 16) {
		case 0: {             /* guest stores: raw bytes */
			u64 gpa = fin_u16(&in) % hcvms[vm].ram_size;
			unsigned n = fin_u8(&in) % 32;

			for (unsigned k = 0; k < n && gpa + k < hcvms[vm].ram_size; k++)
				hcvms[vm].ram[gpa + k] = S[vm].ram[gpa + k] = fin_u8(&in);
			break;
		}
		case 1: case 2:       /* guest stores: a routing request */
			write_request(&in, vm);
			break;
		case 3: {             /* free memory and allocation failures */
			static const u64 pages[] = { 1u << 20, LIMIT_FREE_PAGES_FLOOR,
						     LIMIT_FREE_PAGES_FLOOR + 1, LIMIT_FREE_PAGES_FLOOR + 2,
						     LIMIT_FREE_PAGES_FLOOR + 40, 0 };
			u8 k = fin_u8(&in);

			if (k & 0x80)
				fail_countdown = 1 + k % 4;
			else
				stub_free_pages = pages[k % 6];
			break;
		}
		default: {            /* a hypercall */
			u8 m = fin_u8(&in);

			c.vm = vm;
			c.vcpu = m % hcvms[vm].nr_vcpus;
			c.long_mode = m & 0x80;
			c.nr = pick_nr(&in);
			switch (c.nr) {
			case TERN_HC_CONSOLE_WRITE:
			case TERN_HC_IRQ_DUMP:
				c.a[0] = pick_gpa(&in, vm, 64);
				c.a[1] = pick_len(&in, vm);
				break;
			case TERN_HC_SET_GSI_ROUTING:
				c.a[0] = fin_u8(&in) % 4 ? S[vm].last_req : pick_gpa(&in, vm, 8);
				break;
			case TERN_HC_IRQ_LINE:
				c.a[0] = pick_gsi(&in, vm);
				c.a[1] = fin_u8(&in) % 4 == 3 ? fin_u64(&in) : fin_u8(&in) & 1;
				break;
			case TERN_HC_DOORBELL_ASSIGN: {
				static const u64 flags[] = { 0, 0, TERN_DOORBELL_FLAG_RESAMPLE,
							     TERN_DOORBELL_FLAG_DEASSIGN, 3, 4, 1ull << 32,
							     0x80000000u };
				u8 f = fin_u8(&in);

				c.a[0] = pick_gsi(&in, vm);
				c.a[1] = flags[f % 8];
				c.a[2] = c.a[1] == TERN_DOORBELL_FLAG_DEASSIGN ? pick_id(&in, vm) :
					 (f & 0x80) ? fin_u8(&in) % 3 : c.a[1] == TERN_DOORBELL_FLAG_RESAMPLE;
				if ((f & 0x70) == 0x70)
					c.a[2] |= 1ull << 32;
				break;
			}
			case TERN_HC_DOORBELL_DEASSIGN:
			case TERN_HC_DOORBELL_RING:
				c.a[0] = pick_id(&in, vm);
				break;
			case TERN_HC_DOORBELL_QUERY:
				c.a[0] = pick_id(&in, vm);
				c.a[1] = pick_gpa(&in, vm, INFO_SIZE);
				break;
			case TERN_HC_SHM_QUERY:
				c.a[0] = fin_u8(&in) % 8 == 7 ? fin_u64(&in) : fin_u8(&in) % 4;
				c.a[1] = pick_gpa(&in, vm, SHM_SIZE);
				break;
			case TERN_HC_DOORBELL_RING_VM: {
				c.a[0] = pick_vmid(&in);
				c.a[1] = pick_id(&in, (unsigned)(c.a[0] & 0xffffffffu) % nr_vms);
				break;
			}
			case TERN_HC_DOORBELL_FIND:
				c.a[0] = pick_vmid(&in);
				c.a[1] = pick_gsi(&in, (unsigned)(c.a[0] & 0xffffffffu) % nr_vms);
				break;
			case TERN_HC_DOORBELL_GRANT:
			case TERN_HC_DOORBELL_REVOKE:
				if (control >= 0 && (fin_u8(&in) & 3)) {   /* mostly from the control VM */
					c.vm = (unsigned)control;
					c.vcpu = 0;
				}
				c.a[0] = pick_vmid(&in);
				c.a[1] = pick_id(&in, (unsigned)(c.a[0] & 0xffffffffu) % nr_vms);
				c.a[2] = pick_vmid(&in);
				break;
			case KVM_HC_SEND_IPI: {
				u8 k = fin_u8(&in);

				c.a[0] = k & 1 ? fin_u64(&in) : fin_u8(&in) & 3;
				c.a[1] = k & 2 ? fin_u64(&in) : 0;
				c.a[2] = k & 4 ? fin_u32(&in) : (u64)(k >> 6);
				c.a[3] = k & 8 ? fin_u64(&in) : 0x20u + fin_u8(&in) % 0x60 +
					 (k & 0x10 ? (u64)LAPIC_DM_NMI << APIC_ICR_DM_SHIFT : 0);
				break;
			}
			default:
				c.a[0] = fin_u64(&in);
				c.a[1] = fin_u64(&in);
				c.a[2] = c.a[3] = 0;
				break;
			}
			if (c.nr != KVM_HC_SEND_IPI)
				c.a[3] = fin_u8(&in) & 0x80 ? fin_u64(&in) : 0;   /* RSI: ignored */
			if (c.nr != TERN_HC_DOORBELL_ASSIGN && c.nr != TERN_HC_DOORBELL_GRANT &&
			    c.nr != TERN_HC_DOORBELL_REVOKE && c.nr != KVM_HC_SEND_IPI)
				c.a[2] = fin_u8(&in) & 0x80 ? fin_u64(&in) : 0;   /* RDX: ignored */
			do_call(&c);
			break;
		}
		}
	}
	teardown();
	return 0;
}
