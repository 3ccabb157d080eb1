/* SPDX-License-Identifier: MIT */
#include "drivers/acpi_tables.h"
#include "drivers/pci_host.h"
#include "drivers/pm_timer.h"
#include "drivers/rtc.h"
#include "kernel/lib/string.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

#define ACPI_OEM_ID           "TERN  "
#define ACPI_OEM_TABLE_ID     "TERNVM  "
#define ACPI_OEM_REVISION     1
#define ACPI_CREATOR_ID       "TERN"
#define ACPI_CREATOR_REVISION 1

#define RSDP_SIGNATURE        "RSD PTR "
#define RSDP_REVISION         2
#define RSDP_V1_LENGTH        20     /* bytes the first checksum covers */

#define XSDT_REVISION         1
#define RSDT_REVISION         1
#define MADT_REVISION         4
#define FADT_REVISION         6
#define FADT_MINOR_REVISION   0
#define DSDT_REVISION         2
#define FACS_VERSION          2
#define FACS_ALIGN            64
#define TABLE_ALIGN           16

/* MADT */
#define MADT_PCAT_COMPAT      BIT(0)
#define MADT_LAPIC            0
#define MADT_IOAPIC           1
#define MADT_ISO              2
#define MADT_LAPIC_NMI        4
#define MADT_LAPIC_ENABLED    BIT(0)
#define MADT_ALL_PROCESSORS   0xff
#define MPS_POLARITY_HIGH     1u
#define MPS_TRIGGER_LEVEL     (3u << 2)
#define ISA_IRQ_TIMER         0
#define GSI_TIMER             2
#define LAPIC_LINT1           1

/* FADT */
#define FADT_WBINVD           BIT(0)
#define FADT_PROC_C1          BIT(2)
#define FADT_PWR_BUTTON       BIT(4)   /* 1: no fixed-feature power button */
#define FADT_SLP_BUTTON       BIT(5)
#define FADT_FIX_RTC          BIT(6)   /* 1: no RTC wake status in PM1 */
#define FADT_RESET_REG_SUP    BIT(10)
#define BOOT_LEGACY_DEVICES   BIT(0)
#define BOOT_8042             BIT(1)
#define BOOT_VGA_NOT_PRESENT  BIT(2)
#define FADT_C2_UNSUPPORTED   101      /* latency above 100 us: no C2 */
#define FADT_C3_UNSUPPORTED   1001     /* above 1000 us: no C3 */
#define FADT_RESET_VALUE      0x06
#define GAS_SYSTEM_IO         1
#define GAS_ACCESS_BYTE       1
#define GAS_ACCESS_WORD       2
#define GAS_ACCESS_DWORD      3

/* DSDT body, hand-assembled AML. */
#define AML_SCOPE_OP          0x10
#define AML_NAME_OP           0x08
#define AML_PACKAGE_OP        0x12
#define AML_BYTE_PREFIX       0x0a
#define AML_ZERO_OP           0x00
#define AML_ROOT_CHAR         0x5c

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;

struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 extended_checksum;
	u8 reserved[3];
} __packed;

struct acpi_gas {
	u8 space_id, bit_width, bit_offset, access_size;
	u64 address;
} __packed;

struct acpi_fadt {
	struct acpi_header h;
	u32 firmware_ctrl, dsdt;
	u8 reserved0, preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	u32 gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len;
	u8 gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	u8 duty_offset, duty_width, day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_revision;
	u64 x_firmware_ctrl, x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;
STATIC_ASSERT(sizeof(struct acpi_fadt) == 276);

struct acpi_facs {
	char signature[4];
	u32 length;
	u32 hardware_signature;
	u32 firmware_waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved0[3];
	u32 ospm_flags;
	u8 reserved1[24];
} __packed;
STATIC_ASSERT(sizeof(struct acpi_facs) == 64);

struct madt_lapic {
	u8 type, length, processor_uid, apic_id;
	u32 flags;
} __packed;

struct madt_ioapic {
	u8 type, length, id, reserved;
	u32 address, gsi_base;
} __packed;

struct madt_iso {
	u8 type, length, bus, source;
	u32 gsi;
	u16 flags;
} __packed;

struct madt_lapic_nmi {
	u8 type, length, processor_uid;
	u16 flags;
	u8 lint;
} __packed;

/* \_SB scope (empty) and \_S5 package. */
static const u8 dsdt_aml[] = {
	AML_SCOPE_OP, 0x06, AML_ROOT_CHAR, '_', 'S', 'B', '_',
	AML_NAME_OP, AML_ROOT_CHAR, '_', 'S', '5', '_',
	AML_PACKAGE_OP, 0x08, 0x04,
	AML_BYTE_PREFIX, ACPI_SLP_TYP_S5, AML_BYTE_PREFIX, ACPI_SLP_TYP_S5,
	AML_ZERO_OP, AML_ZERO_OP,
};

/* The image being assembled, and the guest address of its first byte. */
struct acpi_builder {
	u8 *buf;
	u32 used;
	u64 base;
};

static u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return (u8)-sum;
}

/* Reserve len bytes aligned to align; returns the offset (the caller checked the space). */
static u32 acpi_alloc(struct acpi_builder *b, u32 len, u32 align)
{
	u32 off = ALIGN_UP(b->used, align);

	b->used = off + len;
	return off;
}

static u32 gpa32(const struct acpi_builder *b, u32 off)
{
	return (u32)(b->base + off);
}

static void header_init(struct acpi_header *h, const char *sig, u32 len, u8 rev)
{
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REVISION;
}

static void table_finish(struct acpi_builder *b, u32 off)
{
	struct acpi_header *h = (struct acpi_header *)(b->buf + off);

	h->checksum = 0;
	h->checksum = acpi_checksum(h, h->length);
}

static u32 build_dsdt(struct acpi_builder *b)
{
	u32 len = sizeof(struct acpi_header) + sizeof(dsdt_aml);
	u32 off = acpi_alloc(b, len, TABLE_ALIGN);

	header_init((struct acpi_header *)(b->buf + off), "DSDT", len, DSDT_REVISION);
	memcpy(b->buf + off + sizeof(struct acpi_header), dsdt_aml, sizeof(dsdt_aml));
	table_finish(b, off);
	return off;
}

static u32 build_facs(struct acpi_builder *b)
{
	u32 off = acpi_alloc(b, sizeof(struct acpi_facs), FACS_ALIGN);
	struct acpi_facs *f = (struct acpi_facs *)(b->buf + off);

	memcpy(f->signature, "FACS", sizeof(f->signature));
	f->length = sizeof(*f);
	f->version = FACS_VERSION;
	return off;
}

static struct acpi_gas gas_io(u16 port, u8 bytes, u8 access)
{
	return (struct acpi_gas){ .space_id = GAS_SYSTEM_IO, .bit_width = (u8)(bytes * 8),
				  .access_size = access, .address = port };
}

static void fadt_fixed_blocks(struct acpi_fadt *f)
{
	f->sci_int = ACPI_SCI_IRQ;
	f->pm1a_evt_blk = ACPI_PM1A_EVT_BLK;
	f->pm1a_cnt_blk = ACPI_PM1A_CNT_BLK;
	f->pm_tmr_blk = ACPI_PM_TMR_BLK;
	f->pm1_evt_len = ACPI_PM1_EVT_LEN;
	f->pm1_cnt_len = ACPI_PM1_CNT_LEN;
	f->pm_tmr_len = ACPI_PM_TMR_LEN;
	f->x_pm1a_evt_blk = gas_io(ACPI_PM1A_EVT_BLK, ACPI_PM1_EVT_LEN, GAS_ACCESS_WORD);
	f->x_pm1a_cnt_blk = gas_io(ACPI_PM1A_CNT_BLK, ACPI_PM1_CNT_LEN, GAS_ACCESS_WORD);
	f->x_pm_tmr_blk = gas_io(ACPI_PM_TMR_BLK, ACPI_PM_TMR_LEN, GAS_ACCESS_DWORD);
	f->reset_reg = gas_io(PCI_PORT_RESET_CONTROL, 1, GAS_ACCESS_BYTE);
	f->reset_value = FADT_RESET_VALUE;
}

static u32 build_fadt(struct acpi_builder *b, u32 facs, u32 dsdt)
{
	u32 off = acpi_alloc(b, sizeof(struct acpi_fadt), TABLE_ALIGN);
	struct acpi_fadt *f = (struct acpi_fadt *)(b->buf + off);

	header_init(&f->h, "FACP", sizeof(*f), FADT_REVISION);
	f->firmware_ctrl = gpa32(b, facs);
	f->x_firmware_ctrl = gpa32(b, facs);
	f->dsdt = gpa32(b, dsdt);
	f->x_dsdt = gpa32(b, dsdt);
	fadt_fixed_blocks(f);
	f->p_lvl2_lat = FADT_C2_UNSUPPORTED;
	f->p_lvl3_lat = FADT_C3_UNSUPPORTED;
	f->century = RTC_REG_CENTURY;
	/* no BOOT_8042: ports 0x60/0x64 only take reset and A20 commands (misc_ports.h),
	 * and a guest that probes for a keyboard waits 0.5 s for a CTR that never comes */
	f->iapc_boot_arch = BOOT_LEGACY_DEVICES | BOOT_VGA_NOT_PRESENT;
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
		   FADT_FIX_RTC | FADT_RESET_REG_SUP;
	f->minor_revision = FADT_MINOR_REVISION;
	table_finish(b, off);
	return off;
}

static u32 madt_length(unsigned nr_vcpus)
{
	return sizeof(struct acpi_header) + 2 * sizeof(u32) + nr_vcpus * sizeof(struct madt_lapic) +
	       sizeof(struct madt_ioapic) + 2 * sizeof(struct madt_iso) +
	       sizeof(struct madt_lapic_nmi);
}

static u8 *madt_put(u8 *p, const void *entry, size_t len)
{
	memcpy(p, entry, len);
	return p + len;
}

static void madt_entries(u8 *p, unsigned nr_vcpus)
{
	struct madt_ioapic io = { MADT_IOAPIC, sizeof(io), (u8)nr_vcpus, 0, ACPI_IOAPIC_ADDR, 0 };
	struct madt_iso timer = { MADT_ISO, sizeof(timer), 0, ISA_IRQ_TIMER, GSI_TIMER, 0 };
	struct madt_iso sci = { MADT_ISO, sizeof(sci), 0, ACPI_SCI_IRQ, ACPI_SCI_IRQ,
				MPS_POLARITY_HIGH | MPS_TRIGGER_LEVEL };
	struct madt_lapic_nmi nmi = { MADT_LAPIC_NMI, sizeof(nmi), MADT_ALL_PROCESSORS, 0,
				      LAPIC_LINT1 };

	for (unsigned i = 0; i < nr_vcpus; i++) {
		struct madt_lapic l = { MADT_LAPIC, sizeof(l), (u8)i, (u8)i, MADT_LAPIC_ENABLED };

		p = madt_put(p, &l, sizeof(l));
	}
	p = madt_put(p, &io, sizeof(io));
	p = madt_put(p, &timer, sizeof(timer));
	p = madt_put(p, &sci, sizeof(sci));
	madt_put(p, &nmi, sizeof(nmi));
}

static u32 build_madt(struct acpi_builder *b, unsigned nr_vcpus)
{
	u32 len = madt_length(nr_vcpus);
	u32 off = acpi_alloc(b, len, TABLE_ALIGN);
	u8 *p = b->buf + off;
	u32 lapic_addr = ACPI_LAPIC_ADDR, flags = MADT_PCAT_COMPAT;

	header_init((struct acpi_header *)p, "APIC", len, MADT_REVISION);
	p += sizeof(struct acpi_header);
	memcpy(p, &lapic_addr, sizeof(lapic_addr));
	memcpy(p + sizeof(u32), &flags, sizeof(flags));
	madt_entries(p + 2 * sizeof(u32), nr_vcpus);
	table_finish(b, off);
	return off;
}

/* XSDT (64-bit entries) or RSDT (32-bit) listing the tables at offs. */
static u32 build_sdt(struct acpi_builder *b, const char *sig, unsigned entry_size,
		     const u32 *offs, unsigned n)
{
	u32 len = sizeof(struct acpi_header) + n * entry_size;
	u32 off = acpi_alloc(b, len, TABLE_ALIGN);
	u8 *p = b->buf + off + sizeof(struct acpi_header);

	header_init((struct acpi_header *)(b->buf + off), sig, len,
		    entry_size == sizeof(u64) ? XSDT_REVISION : RSDT_REVISION);
	for (unsigned i = 0; i < n; i++) {
		u64 gpa = gpa32(b, offs[i]);

		memcpy(p + i * entry_size, &gpa, entry_size);   /* little endian */
	}
	table_finish(b, off);
	return off;
}

static void build_rsdp(struct acpi_builder *b, u32 off, u32 rsdt, u32 xsdt)
{
	struct acpi_rsdp *r = (struct acpi_rsdp *)(b->buf + off);

	memcpy(r->signature, RSDP_SIGNATURE, sizeof(r->signature));
	memcpy(r->oem_id, ACPI_OEM_ID, sizeof(r->oem_id));
	r->revision = RSDP_REVISION;
	r->rsdt_address = gpa32(b, rsdt);
	r->length = sizeof(*r);
	r->xsdt_address = gpa32(b, xsdt);
	r->checksum = acpi_checksum(r, RSDP_V1_LENGTH);
	r->extended_checksum = acpi_checksum(r, sizeof(*r));
}

static void acpi_build_all(struct acpi_builder *b, unsigned nr_vcpus)
{
	u32 rsdp = acpi_alloc(b, sizeof(struct acpi_rsdp), ACPI_RSDP_ALIGN);
	u32 dsdt = build_dsdt(b);
	u32 facs = build_facs(b);
	u32 tables[2];
	u32 rsdt, xsdt;

	tables[0] = build_fadt(b, facs, dsdt);
	tables[1] = build_madt(b, nr_vcpus);
	xsdt = build_sdt(b, "XSDT", sizeof(u64), tables, ARRAY_SIZE(tables));
	rsdt = build_sdt(b, "RSDT", sizeof(u32), tables, ARRAY_SIZE(tables));
	build_rsdp(b, rsdp, rsdt, xsdt);
}

STATIC_ASSERT(sizeof(struct acpi_rsdp) + 4 * TABLE_ALIGN + FACS_ALIGN + sizeof(struct acpi_fadt) +
	      sizeof(struct acpi_facs) + sizeof(struct acpi_header) * 4 + sizeof(dsdt_aml) +
	      2 * sizeof(u64) + 2 * sizeof(u32) + 2 * sizeof(u32) +
	      ACPI_MAX_VCPUS * sizeof(struct madt_lapic) + sizeof(struct madt_ioapic) +
	      2 * sizeof(struct madt_iso) + sizeof(struct madt_lapic_nmi) <= ACPI_TABLES_MAX_SIZE);

int acpi_tables_build(struct vm *vm, u64 base_gpa, u64 *rsdp_gpa)
{
	unsigned nr_vcpus = vm_nr_vcpus(vm);
	struct acpi_builder b = { .base = base_gpa };
	int ret;

	if (!IS_ALIGNED(base_gpa, FACS_ALIGN) || base_gpa + ACPI_TABLES_MAX_SIZE > 4 * GiB ||
	    nr_vcpus == 0 || nr_vcpus > ACPI_MAX_VCPUS)
		return -TERN_EINVAL;
	b.buf = kzalloc(ACPI_TABLES_MAX_SIZE);
	if (!b.buf)
		return -TERN_ENOMEM;
	acpi_build_all(&b, nr_vcpus);
	ret = vm_copy_to_guest(vm, base_gpa, b.buf, ACPI_TABLES_MAX_SIZE);
	kfree(b.buf);
	if (ret < 0)
		return ret;
	*rsdp_gpa = base_gpa;
	return 0;
}
