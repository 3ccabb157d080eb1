/* SPDX-License-Identifier: MIT */
/*
 * The port and MMIO registries (kernel/io.c) against a shadow model.
 * The input is a sequence of operations: register a port range or an MMIO
 * range (bases drawn near each other, near RAM's end, near 2^64, so ranges
 * overlap, touch and wrap), dispatch a port or an MMIO access.
 * Invariants:
 *  - a registration succeeds exactly when the shadow says it must (count/len
 *    non-zero, in range, no wrap, no RAM, no overlap) and otherwise returns
 *    the documented error (-TERN_EINVAL / -TERN_EEXIST);
 *  - a dispatch reaches exactly the handler whose range holds the address,
 *    with its opaque, the port itself / the offset from the range's base,
 *    and its return value comes back; an unclaimed port reads all ones of
 *    its size and returns 0; an unclaimed gpa returns -TERN_ENODEV;
 *  - pio_lookup/mmio_lookup find the same owner, and a range pointer they
 *    returned (what a vCPU keeps as its last hit) keeps covering exactly its
 *    addresses with the same handler and opaque after later registrations.
 */
#include <tern/errno.h>
#include "kernel/io.h"
#include "kernel/vm.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/stub_kernel.h"

#define RAM_END   (64 * MiB)
#define MAX_REGS  64
#define MAX_OPS   512

static struct io_maps *maps;

struct io_maps *vm_io_maps(struct vm *vm) { (void)vm; return maps; }
bool vm_range_has_ram(struct vm *vm, u64 base, u64 len) { (void)vm; return base < RAM_END && len; }
unsigned vm_id(const struct vm *vm) { (void)vm; return 0; }

struct shadow {
	u64 base, end;   /* end exclusive; mmio end may be 2^64 -> stored as 0 meaning top */
};

static struct shadow pio_shadow[MAX_REGS], mmio_shadow[MAX_REGS];
static unsigned nr_pio, nr_mmio;
static int ids[MAX_REGS * 2];

struct call {
	unsigned calls;
	int id;
	u64 where;
	unsigned size;
	bool write;
};
static struct call last;

static int handler_ret(int id)
{
	return (id % 5 == 4) ? -TERN_EIO : 0;
}

static int pio_h(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	int id = *(int *)opaque;

	last = (struct call){ last.calls + 1, id, port, size, !in };
	if (in)
		*val = 0x1000u + (unsigned)id;
	return handler_ret(id);
}

static int mmio_h(void *opaque, unsigned vcpu_id, u64 off, unsigned size, bool write, u64 *val)
{
	int id = *(int *)opaque;

	last = (struct call){ last.calls + 1, id, off, size, write };
	if (!write)
		*val = 0x2000u + (unsigned)id;
	return handler_ret(id);
}

/* end 0 stands for 2^64 in the MMIO shadow (a range may end at the top). */
static bool in_range(const struct shadow *s, u64 a)
{
	return a >= s->base && (s->end == 0 || a < s->end);
}

/* The ranges found last, as a vCPU's exit path keeps them (kernel/io.h). */
static const struct io_range *hint_pio, *hint_mmio;

/* A kept range still means its owner: covers addr exactly when the owner's shadow does. */
static void check_hint(const struct io_range *h, const struct shadow *t, int id_base, u64 addr)
{
	int owner = *(int *)h->opaque - id_base;

	FUZZ_CHECK(owner >= 0 && owner < MAX_REGS, "kept range has a foreign opaque");
	FUZZ_CHECK(io_range_has(h, addr) == in_range(&t[owner], addr),
		   "kept range [0x%llx, +0x%llx) disagrees with its owner on 0x%llx",
		   (unsigned long long)h->base, (unsigned long long)h->len, (unsigned long long)addr);
}

static bool shadow_overlap(const struct shadow *t, unsigned n, u64 base, u64 end)
{
	for (unsigned i = 0; i < n; i++) {
		u64 te = t[i].end ? t[i].end - 1 : ~0ull, e = end ? end - 1 : ~0ull;

		if (base <= te && t[i].base <= e)
			return true;
	}
	return false;
}

static int shadow_find(const struct shadow *t, unsigned n, u64 a)
{
	int found = -1;

	for (unsigned i = 0; i < n; i++)
		if (in_range(&t[i], a)) {
			FUZZ_CHECK(found < 0, "shadow ranges overlap");
			found = (int)i;
		}
	return found;
}

static u64 pick_mmio_addr(struct fuzz_in *in)
{
	static const u64 anchors[] = { 0, RAM_END - 0x1000, RAM_END, 0xfec00000ull, 0xfee00000ull,
				       0x100000000ull, ~0ull - 0xfff, 0x8000000000000000ull };
	u8 sel = fin_u8(in);

	if (sel == 0xff)
		return fin_u64(in);
	return anchors[sel % 8] + (u64)(fin_u16(in) & 0x3fff) - ((sel & 0x80) ? 0x2000 : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct vm *vm = stub_vm_new(1);

	maps = io_maps_create();
	if (!vm || !maps)
		abort();
	nr_pio = nr_mmio = 0;
	for (unsigned i = 0; i < MAX_REGS * 2; i++)
		ids[i] = (int)i;
	for (unsigned op = 0; op < MAX_OPS && fin_more(&in); op++) {
		switch (fin_u8(&in) % 4) {
		case 0: {   /* pio_register */
			u16 base = fin_u16(&in), count = fin_u8(&in);
			bool bad, dup;
			int rc;

			if (fin_u8(&in) & 1)   /* ports near each other */
				base = (u16)(0x3f0 + (base & 0x1f));
			bad = count == 0 || (u32)base + count > 0x10000u;
			dup = !bad && shadow_overlap(pio_shadow, nr_pio, base, (u64)base + count);
			if (!bad && !dup && nr_pio >= MAX_REGS)
				break;
			rc = pio_register(vm, base, count, pio_h, &ids[nr_pio]);
			FUZZ_CHECK(rc == (bad ? -TERN_EINVAL : dup ? -TERN_EEXIST : 0),
				   "pio_register(0x%x, %u) = %d (bad %d dup %d)", base, count, rc, bad, dup);
			if (!rc)
				pio_shadow[nr_pio++] = (struct shadow){ base, (u64)base + count };
			break;
		}
		case 1: {   /* mmio_register */
			u64 base = pick_mmio_addr(&in);
			u64 len = fin_u8(&in) & 1 ? fin_u64(&in) : (u64)fin_u16(&in);
			u64 end = base + len;
			bool bad = len == 0 || (end < base && end != 0) || base < RAM_END;
			bool dup;
			int rc;

			/* io.c treats base + len == 2^64 as a wrap (end 0 < base): mirror that */
			if (len && end == 0)
				bad = true;
			dup = !bad && shadow_overlap(mmio_shadow, nr_mmio, base, end);
			if (!bad && !dup && nr_mmio >= MAX_REGS)
				break;
			rc = mmio_register(vm, base, len, mmio_h, &ids[MAX_REGS + nr_mmio]);
			FUZZ_CHECK(rc == (bad ? -TERN_EINVAL : dup ? -TERN_EEXIST : 0),
				   "mmio_register(0x%llx, 0x%llx) = %d (bad %d dup %d)",
				   (unsigned long long)base, (unsigned long long)len, rc, bad, dup);
			if (!rc)
				mmio_shadow[nr_mmio++] = (struct shadow){ base, end };
			break;
		}
		case 2: {   /* pio_dispatch */
			u16 port = fin_u8(&in) & 1 ? (u16)(0x3f0 + (fin_u8(&in) & 0x3f)) : fin_u16(&in);
			unsigned sz = fin_size(&in, false);
			bool isin = fin_u8(&in) & 1;
			u32 val = 0xdeadbeef;
			unsigned before = last.calls;
			int want = shadow_find(pio_shadow, nr_pio, port);
			const struct io_range *r = pio_lookup(vm, port);
			int rc;

			if (hint_pio)
				check_hint(hint_pio, pio_shadow, 0, port);
			FUZZ_CHECK(want < 0 ? !r : r && *(int *)r->opaque == want,
				   "pio_lookup(0x%x) disagrees", port);
			if (r)
				hint_pio = r;
			rc = pio_dispatch(vm, 0, port, sz, isin, &val);

			if (want < 0) {
				FUZZ_CHECK(rc == 0 && last.calls == before, "unclaimed port 0x%x", port);
				if (isin)
					FUZZ_CHECK(val == (sz >= 4 ? ~0u : (1u << (8 * sz)) - 1),
						   "unclaimed port 0x%x size %u read 0x%x", port, sz, val);
			} else {
				FUZZ_CHECK(last.calls == before + 1 && last.id == want &&
					   last.where == port && last.size == sz && last.write == !isin,
					   "port 0x%x went to %d, not %d", port, last.id, want);
				FUZZ_CHECK(rc == handler_ret(want), "rc %d", rc);
				if (isin)
					FUZZ_CHECK(val == 0x1000u + (unsigned)want, "in value");
			}
			break;
		}
		default: {  /* mmio_dispatch */
			u64 gpa = pick_mmio_addr(&in);
			unsigned sz = fin_size(&in, true);
			bool wr = fin_u8(&in) & 1;
			u64 val = 0;
			unsigned before = last.calls;
			int want = shadow_find(mmio_shadow, nr_mmio, gpa);
			const struct io_range *r = mmio_lookup(vm, gpa);
			int rc;

			if (hint_mmio)
				check_hint(hint_mmio, mmio_shadow, MAX_REGS, gpa);
			FUZZ_CHECK(want < 0 ? !r : r && *(int *)r->opaque == MAX_REGS + want,
				   "mmio_lookup(0x%llx) disagrees", (unsigned long long)gpa);
			if (r)
				hint_mmio = r;
			rc = mmio_dispatch(vm, 0, gpa, sz, wr, &val);

			if (want < 0) {
				FUZZ_CHECK(rc == -TERN_ENODEV && last.calls == before, "unclaimed gpa");
			} else {
				FUZZ_CHECK(last.calls == before + 1 && last.id == MAX_REGS + want &&
					   last.where == gpa - mmio_shadow[want].base,
					   "gpa 0x%llx went to %d off 0x%llx", (unsigned long long)gpa,
					   last.id, (unsigned long long)last.where);
				FUZZ_CHECK(rc == handler_ret(MAX_REGS + want), "rc %d", rc);
			}
			break;
		}
		}
	}
	io_maps_destroy(maps);
	maps = NULL;
	hint_pio = hint_mmio = NULL;   /* they pointed into the maps just freed */
	stub_vm_free(vm);
	return 0;
}
