/* SPDX-License-Identifier: MIT */
/*
 * irq_routing_errors: every bad SET_GSI_ROUTING request returns its
 * documented error (docs/routing.md) and leaves the routing in force
 * (a doorbell on the good MSI route still delivers); bad pointers give
 * -EFAULT for routing, QUERY and IRQ_DUMP; bad doorbell and IRQ_LINE
 * arguments their errors.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"

#define GSI_GOOD     28
#define VEC_GOOD     0x70
#define WAIT_TICKS   200000u
#define BAD_GPA      0xf0000000u
#define MAX_GSI      1024
#define MAX_ENTRIES  4096

static struct route_req req;
static char dump[512];

static bool contains(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++)
		if (!strncmp(s, w, n))
			return true;
	return false;
}

static s32 one_bad(u32 gsi, u32 type, u32 flags)
{
	route_clear(&req);
	req.e[0] = (struct tern_irq_routing_entry){ .gsi = gsi, .type = type, .flags = flags };
	req.hdr.nr = 1;
	return route_set(&req);
}

static s32 chip_entry(u32 gsi, u32 chip, u32 pin)
{
	route_clear(&req);
	route_add_chip(&req, gsi, chip, pin);
	return route_set(&req);
}

static void bad_requests(void)
{
	route_clear(&req);
	req.hdr.flags = 1;
	check_eq(route_set(&req), -TERN_EINVAL, "request flags != 0: -EINVAL");
	route_clear(&req);
	req.hdr.nr = MAX_ENTRIES + 1;
	check_eq(route_set(&req), -TERN_E2BIG, "nr above the limit: -E2BIG");
	req.hdr.nr = 0xffffffffu;
	check_eq(route_set(&req), -TERN_E2BIG, "nr 0xffffffff: -E2BIG (no size overflow)");
	check_eq(chip_entry(MAX_GSI, TERN_IRQCHIP_IOAPIC, 1), -TERN_ERANGE, "gsi beyond the limit: -ERANGE");
	check_eq(one_bad(5, TERN_IRQ_ROUTING_S390_ADAPTER, 0), -TERN_EOPNOTSUPP, "s390 adapter type: -EOPNOTSUPP");
	check_eq(one_bad(5, 99, 0), -TERN_ENOSYS, "unknown type: -ENOSYS");
	check_eq(one_bad(5, TERN_IRQ_ROUTING_IRQCHIP, 1), -TERN_EINVAL, "irqchip entry flags: -EINVAL");
	check_eq(chip_entry(5, TERN_NR_IRQCHIPS, 1), -TERN_ENOENT, "no such irqchip: -ENOENT");
	check_eq(chip_entry(5, TERN_IRQCHIP_IOAPIC, 24), -TERN_ERANGE, "IOAPIC pin 24: -ERANGE");
	check_eq(chip_entry(5, TERN_IRQCHIP_PIC_MASTER, 8), -TERN_ERANGE, "PIC pin 8: -ERANGE");
	route_clear(&req);
	route_add_chip(&req, 5, TERN_IRQCHIP_IOAPIC, 5);
	route_add_chip(&req, 5, TERN_IRQCHIP_IOAPIC, 6);
	check_eq(route_set(&req), -TERN_EEXIST, "one GSI to one chip twice: -EEXIST");
	route_clear(&req);
	route_add_msi(&req, 6, 0x80);
	route_add_chip(&req, 6, TERN_IRQCHIP_IOAPIC, 6);
	check_eq(route_set(&req), -TERN_EBUSY, "an MSI route sharing its GSI: -EBUSY");
}

static void bad_pointers(s32 id)
{
	struct tern_doorbell_info info;
	u32 ram_end = (u32)(mb_mem_upper_kib() * 1024u + 0x100000u);

	check_eq(hypercall1(TERN_HC_SET_GSI_ROUTING, BAD_GPA), -TERN_EFAULT, "routing header outside RAM: -EFAULT");
	/* a header at the last 8 bytes of RAM: its entries lie beyond */
	*(volatile u32 *)(uintptr_t)(ram_end - 8) = 1;
	*(volatile u32 *)(uintptr_t)(ram_end - 4) = 0;
	check_eq(hypercall1(TERN_HC_SET_GSI_ROUTING, ram_end - 8), -TERN_EFAULT, "entries beyond RAM: -EFAULT");
	check_eq(doorbell_query((u32)id, (struct tern_doorbell_info *)BAD_GPA), -TERN_EFAULT, "QUERY to a bad pointer: -EFAULT");
	check_eq(doorbell_query(12345, &info), -TERN_ENOENT, "QUERY of an unknown id: -ENOENT");
	check_eq(hypercall2(TERN_HC_IRQ_DUMP, BAD_GPA, 64), -TERN_EFAULT, "IRQ_DUMP to a bad pointer: -EFAULT");
}

static void bad_calls(void)
{
	s32 n;

	check_eq(doorbell_assign(GSI_GOOD, 0x80, 0), -TERN_EINVAL, "ASSIGN with unknown flags: -EINVAL");
	check_eq(doorbell_assign(GSI_GOOD, TERN_DOORBELL_FLAG_RESAMPLE, 0), -TERN_EINVAL, "RESAMPLE without id: -EINVAL");
	check_eq(doorbell_assign(MAX_GSI, 0, 0), -TERN_ERANGE, "ASSIGN beyond the GSI limit: -ERANGE");
	check_eq(doorbell_ring(999999), -TERN_ENOENT, "RING of an unknown id: -ENOENT");
	check_eq(doorbell_deassign(999999), -TERN_ENOENT, "DEASSIGN of an unknown id: -ENOENT");
	check_eq(hypercall2(TERN_HC_IRQ_LINE, MAX_GSI, 1), -TERN_EINVAL, "IRQ_LINE beyond the GSI limit: -EINVAL");
	n = hypercall2(TERN_HC_IRQ_DUMP, (u32)(uintptr_t)dump, sizeof(dump));
	check(n > 0 && n < (s32)sizeof(dump) && dump[n] == 0, "IRQ_DUMP writes %d bytes of text", n);
	check(contains(dump, "28"), "the dump mentions GSI 28");
}

void guest_main(void)
{
	s32 id;

	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	route_clear(&req);
	route_add_msi(&req, GSI_GOOD, VEC_GOOD);
	check_eq(route_set(&req), 0, "good routing: GSI %u -> MSI 0x%x", GSI_GOOD, VEC_GOOD);
	id = doorbell_assign(GSI_GOOD, 0, 0);
	check(id > 0, "doorbell on GSI %u", GSI_GOOD);
	bad_requests();
	bad_pointers(id);
	bad_calls();
	check_eq(doorbell_ring((u32)id), 0, "RING after the bad requests");
	check(irq_wait(VEC_GOOD, 1, WAIT_TICKS), "the old routing still delivers vector 0x%x", VEC_GOOD);
}
