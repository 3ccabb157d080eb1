/* SPDX-License-Identifier: MIT */
/*
 * Reading the host's ACPI tables (ACPI 6.x sections 5.2.5 RSDP, 5.2.6 SDT
 * header, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT). Tables are read through
 * acpi_host_map() only, and never beyond what was mapped.
 */
#include "drivers/acpi_host.h"
#include "kernel/lib/endian.h"
#include "kernel/lib/string.h"

/* RSDP layout. */
#define RSDP_SIG            "RSD PTR "
#define RSDP_SIG_LEN        8
#define RSDP_V1_LEN         20
#define RSDP_V2_LEN         36
#define RSDP_MAX_LEN        1024    /* a larger length field is refused */
#define RSDP_OFF_REVISION   15
#define RSDP_OFF_RSDT       16
#define RSDP_OFF_LENGTH     20
#define RSDP_OFF_XSDT       24
#define RSDP_REV_XSDT       2       /* revision 2 added length, XSDT, extended checksum */
#define RSDP_ALIGN          16

/* Legacy search areas (ACPI 5.2.5.1). */
#define EBDA_SEARCH_LEN     1024
#define BIOS_AREA_START     0xe0000ull
#define BIOS_AREA_END       0x100000ull

/* System description table header. */
#define SDT_SIG_LEN         4
#define SDT_HDR_LEN         36
#define SDT_OFF_LENGTH      4
#define RSDT_ENTRY_SIZE     4
#define XSDT_ENTRY_SIZE     8

/* MADT. */
#define MADT_SIG            "APIC"
#define MADT_OFF_LAPIC      36
#define MADT_OFF_FLAGS      40
#define MADT_HDR_LEN        44
#define MADT_PCAT_COMPAT    BIT(0)
#define MADT_SUB_HDR_LEN    2       /* type, length */
#define MADT_LAPIC_LEN      8
#define MADT_IOAPIC_LEN     12
#define MADT_LAPIC_OVR_LEN  12
#define MADT_X2APIC_LEN     16
#define MADT_CPU_ENABLED    BIT(0)
#define MADT_XAPIC_ID_NONE  0xff    /* in a type 0 entry: the CPU is described by a type 9 */


static bool checksum_ok(const u8 *p, size_t len)
{
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return sum == 0;
}

int acpi_rsdp_check(const void *rsdp, size_t avail, u64 *rsdt, u64 *xsdt)
{
	const u8 *p = rsdp;
	u32 len;

	if (!p || avail < RSDP_V1_LEN || memcmp(p, RSDP_SIG, RSDP_SIG_LEN) ||
	    !checksum_ok(p, RSDP_V1_LEN))
		return -TERN_EINVAL;
	*rsdt = get_le32(p + RSDP_OFF_RSDT);
	*xsdt = 0;
	if (p[RSDP_OFF_REVISION] < RSDP_REV_XSDT)
		return 0;
	if (avail < RSDP_V2_LEN)
		return -TERN_EINVAL;
	len = get_le32(p + RSDP_OFF_LENGTH);
	if (len < RSDP_V2_LEN || len > avail || !checksum_ok(p, len))
		return -TERN_EINVAL;
	*xsdt = get_le64(p + RSDP_OFF_XSDT);
	return 0;
}

/* The RSDP at phys with as many bytes as its revision says; NULL if unreadable. */
static const u8 *map_rsdp(u64 phys, size_t *avail)
{
	const u8 *p = acpi_host_map(phys, RSDP_V1_LEN);
	u32 len;

	*avail = RSDP_V1_LEN;
	if (!p || p[RSDP_OFF_REVISION] < RSDP_REV_XSDT)
		return p;
	p = acpi_host_map(phys, RSDP_V2_LEN);
	if (!p)
		return NULL;
	len = get_le32(p + RSDP_OFF_LENGTH);
	if (len <= RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		*avail = RSDP_V2_LEN;   /* acpi_rsdp_check judges the length */
		return p;
	}
	*avail = len;
	return acpi_host_map(phys, len);
}

/* First valid RSDP on a 16-byte boundary in [start, end). */
static int scan_area(u64 start, u64 end, u64 *phys)
{
	const u8 *area = acpi_host_map(start, end - start);
	u64 rsdt, xsdt;

	if (!area)
		return -TERN_ENOENT;
	for (u64 off = 0; off + RSDP_V1_LEN <= end - start; off += RSDP_ALIGN) {
		if (memcmp(area + off, RSDP_SIG, RSDP_SIG_LEN))
			continue;
		if (!acpi_rsdp_check(area + off, (size_t)(end - start - off), &rsdt, &xsdt)) {
			*phys = start + off;
			return 0;
		}
	}
	return -TERN_ENOENT;
}

int acpi_rsdp_scan(u64 *phys)
{
	u64 ebda = acpi_host_ebda();

	if (ebda && IS_ALIGNED(ebda, RSDP_ALIGN) && ebda + EBDA_SEARCH_LEN <= BIOS_AREA_START &&
	    !scan_area(ebda, ebda + EBDA_SEARCH_LEN, phys))
		return 0;
	return scan_area(BIOS_AREA_START, BIOS_AREA_END, phys);
}

/*
 * Map the whole table at phys after checking its header: signature sig
 * (NULL: any), a length between the header size and ACPI_TABLE_MAX, and
 * the checksum over that length.
 */
static const u8 *map_table(u64 phys, const char *sig, u32 *len)
{
	const u8 *p = phys ? acpi_host_map(phys, SDT_HDR_LEN) : NULL;

	if (!p || (sig && memcmp(p, sig, SDT_SIG_LEN)))
		return NULL;
	*len = get_le32(p + SDT_OFF_LENGTH);
	if (*len < SDT_HDR_LEN || *len > ACPI_TABLE_MAX)
		return NULL;
	p = acpi_host_map(phys, *len);
	if (!p || !checksum_ok(p, *len))
		return NULL;
	return p;
}

/* Look for sig among the entries of the root table at root (RSDT or XSDT). */
static int search_root(u64 root, const char *root_sig, unsigned entry_size, const char *sig,
		       u64 *phys, u32 *len)
{
	u32 root_len;
	const u8 *r = map_table(root, root_sig, &root_len);
	int ret = -TERN_ENOENT;

	if (!r)
		return -TERN_EINVAL;
	for (u32 off = SDT_HDR_LEN; off + entry_size <= root_len; off += entry_size) {
		u64 addr = entry_size == XSDT_ENTRY_SIZE ? get_le64(r + off) : get_le32(r + off);
		const u8 *h = addr ? acpi_host_map(addr, SDT_HDR_LEN) : NULL;

		if (!h || memcmp(h, sig, SDT_SIG_LEN))
			continue;
		if (map_table(addr, sig, len)) {
			*phys = addr;
			return 0;
		}
		ret = -TERN_EINVAL;   /* a bad copy: look for a good one further on */
	}
	return ret;
}

int acpi_find_table(u64 rsdp_phys, const char *sig, u64 *phys, u32 *len)
{
	size_t avail;
	const u8 *rsdp = map_rsdp(rsdp_phys, &avail);
	u64 rsdt, xsdt;
	int ret = -TERN_EINVAL;

	if (!rsdp || acpi_rsdp_check(rsdp, avail, &rsdt, &xsdt))
		return -TERN_EINVAL;
	if (xsdt)
		ret = search_root(xsdt, "XSDT", XSDT_ENTRY_SIZE, sig, phys, len);
	if (ret == -TERN_EINVAL && rsdt) {
		/* a bad XSDT or a bad copy in it: the RSDT may still have a good one */
		int r = search_root(rsdt, "RSDT", RSDT_ENTRY_SIZE, sig, phys, len);

		if (r != -TERN_ENOENT || !xsdt)
			ret = r;
	}
	return ret;
}

static void add_cpu(struct acpi_host_info *out, u32 apic_id, u32 uid, u32 flags)
{
	if (!(flags & MADT_CPU_ENABLED)) {
		out->nr_disabled++;
		return;
	}
	for (unsigned i = 0; i < out->nr_cpus; i++)
		if (out->cpus[i].apic_id == apic_id)
			return;   /* listed twice (type 0 and type 9): one CPU */
	if (out->nr_cpus == ACPI_HOST_MAX_CPUS) {
		out->nr_dropped++;
		return;
	}
	out->cpus[out->nr_cpus].apic_id = apic_id;
	out->cpus[out->nr_cpus].uid = uid;
	out->nr_cpus++;
}

static void add_ioapic(struct acpi_host_info *out, const u8 *e)
{
	struct acpi_host_ioapic *io;

	if (out->nr_ioapics == ACPI_HOST_MAX_IOAPICS)
		return;
	io = &out->ioapics[out->nr_ioapics++];
	io->id = e[2];
	io->addr = get_le32(e + 4);
	io->gsi_base = get_le32(e + 8);
}

/* The minimum length of each sub-table type tern reads; 0 for types it skips. */
static unsigned madt_min_len(u8 type)
{
	switch (type) {
	case MADT_TYPE_LOCAL_APIC:
		return MADT_LAPIC_LEN;
	case MADT_TYPE_IO_APIC:
		return MADT_IOAPIC_LEN;
	case MADT_TYPE_LAPIC_ADDR_OVERRIDE:
		return MADT_LAPIC_OVR_LEN;
	case MADT_TYPE_LOCAL_X2APIC:
		return MADT_X2APIC_LEN;
	default:
		return 0;
	}
}

static void madt_entry(struct acpi_host_info *out, const u8 *e)
{
	switch (e[0]) {
	case MADT_TYPE_LOCAL_APIC:
		if (e[3] != MADT_XAPIC_ID_NONE)
			add_cpu(out, e[3], e[2], get_le32(e + 4));
		break;
	case MADT_TYPE_IO_APIC:
		add_ioapic(out, e);
		break;
	case MADT_TYPE_LAPIC_ADDR_OVERRIDE:
		out->lapic_phys = get_le64(e + 4);
		break;
	case MADT_TYPE_LOCAL_X2APIC:
		add_cpu(out, get_le32(e + 4), get_le32(e + 12), get_le32(e + 8));
		break;
	default:
		break;
	}
}

int acpi_madt_parse(const void *madt, size_t len, struct acpi_host_info *out)
{
	const u8 *p = madt;
	u32 tlen;

	memset(out, 0, sizeof(*out));
	if (!p || len < MADT_HDR_LEN || memcmp(p, MADT_SIG, SDT_SIG_LEN))
		return -TERN_EINVAL;
	tlen = get_le32(p + SDT_OFF_LENGTH);
	if (tlen < MADT_HDR_LEN || tlen > len || !checksum_ok(p, tlen))
		return -TERN_EINVAL;
	out->lapic_phys = get_le32(p + MADT_OFF_LAPIC);
	out->has_8259 = get_le32(p + MADT_OFF_FLAGS) & MADT_PCAT_COMPAT;
	for (u32 off = MADT_HDR_LEN; off < tlen;) {
		const u8 *e = p + off;

		if (tlen - off < MADT_SUB_HDR_LEN || e[1] < MADT_SUB_HDR_LEN || e[1] > tlen - off ||
		    e[1] < madt_min_len(e[0]))
			return -TERN_EINVAL;
		madt_entry(out, e);
		off += e[1];
	}
	return 0;
}

int acpi_host_read(u64 rsdp_phys, struct acpi_host_info *out)
{
	u64 madt;
	u32 len;
	int ret;

	if (!rsdp_phys) {
		ret = acpi_rsdp_scan(&rsdp_phys);
		if (ret)
			return ret;
	}
	ret = acpi_find_table(rsdp_phys, MADT_SIG, &madt, &len);
	if (ret)
		return ret;
	return acpi_madt_parse(acpi_host_map(madt, len), len, out);
}
