/* SPDX-License-Identifier: MIT */
/*
 * MSI address/data decode (SDM 10.11). Apart from delivery (irq/msi.c) so
 * the routing layer decodes its MSI routes at table build in every build,
 * also the host tests that fake delivery.
 */
#include "irq/msi.h"
#include "kernel/lib/string.h"

/* Address (low word) fields. */
#define MSI_ADDR_BASE_MASK      0xfff00000u
#define MSI_ADDR_BASE           0xfee00000u
#define MSI_ADDR_DEST_SHIFT     12
#define MSI_ADDR_DEST_MASK      0xffu
#define MSI_ADDR_EXT_DEST_SHIFT 5         /* bits 11:5: destination bits 14:8 */
#define MSI_ADDR_EXT_DEST_MASK  0x7fu
#define MSI_ADDR_EXT_DEST_POS   8
#define MSI_ADDR_REMAP_FORMAT   BIT(4)    /* interrupt-remapping format: no IOMMU here */
#define MSI_ADDR_RH             BIT(3)
#define MSI_ADDR_DM_LOGICAL     BIT(2)
/* address_hi: destination bits 31:8 (x2APIC without remapping) */
#define MSI_ADDR_HI_DEST_MASK   0xffffff00u

/* Data fields. */
#define MSI_DATA_VECTOR_MASK    0xffu
#define MSI_DATA_DM_SHIFT       8
#define MSI_DATA_DM_MASK        (7u << MSI_DATA_DM_SHIFT)
#define MSI_DATA_ASSERT         BIT(14)
#define MSI_DATA_LEVEL          BIT(15)

#define DM_RESERVED             3

static u32 msi_dest(u32 lo, u32 hi)
{
	u32 dest = (lo >> MSI_ADDR_DEST_SHIFT) & MSI_ADDR_DEST_MASK;

	dest |= ((lo >> MSI_ADDR_EXT_DEST_SHIFT) & MSI_ADDR_EXT_DEST_MASK) << MSI_ADDR_EXT_DEST_POS;
	return dest | (hi & MSI_ADDR_HI_DEST_MASK);
}

int msi_decode(u32 address_lo, u32 address_hi, u32 data, struct lapic_irq *out)
{
	unsigned dm = (data & MSI_DATA_DM_MASK) >> MSI_DATA_DM_SHIFT;
	bool rh = address_lo & MSI_ADDR_RH;

	if (!out || (address_lo & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE)
		return -TERN_EINVAL;
	if ((address_lo & MSI_ADDR_REMAP_FORMAT) || dm == DM_RESERVED)
		return -TERN_EINVAL;
	out->dest = msi_dest(address_lo, address_hi);
	out->vector = data & MSI_DATA_VECTOR_MASK;
	out->delivery_mode = (u8)dm;
	out->shorthand = LAPIC_SH_NONE;
	/* SDM 10.11.1: with RH=0 the DM bit is ignored and the ID is physical */
	out->dest_logical = rh && (address_lo & MSI_ADDR_DM_LOGICAL);
	if (out->dest_logical && dm == LAPIC_DM_FIXED)
		out->delivery_mode = LAPIC_DM_LOWEST;   /* RH: the lowest-priority CPU of the set */
	out->level_trigger = data & MSI_DATA_LEVEL;
	out->assert = data & MSI_DATA_ASSERT;
	out->src_vcpu = -1;
	return 0;
}

void msi_route_decode(struct msi_route *m)
{
	/* a message that does not decode keeps a zeroed irq: it is never delivered */
	memset(&m->irq, 0, sizeof(m->irq));
	m->decode_err = msi_decode(m->address_lo, m->address_hi, m->data, &m->irq);
}
