/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for guests, built in guest RAM: RSDP (revision 2), XSDT and
 * RSDT, FADT (revision 6), FACS, MADT and a minimal DSDT (AML: an empty
 * \_SB scope and \_S5 = Package { ACPI_SLP_TYP_S5, ACPI_SLP_TYP_S5, 0, 0 }).
 *
 * MADT: local APIC at 0xfee00000, PCAT_COMPAT; one enabled Processor Local
 * APIC per vCPU (processor UID = APIC ID = vCPU index); one I/O APIC at
 * 0xfec00000, GSI base 0, with the ID vm_nr_vcpus(vm) so it never equals a
 * local APIC ID; interrupt source overrides ISA IRQ 0 -> GSI 2 (bus
 * conforming) and IRQ 9 -> GSI 9 level, active high (the SCI); a Local APIC
 * NMI entry for LINT1 of every processor.
 * FADT: not hardware-reduced; SCI_INT 9, no SMI command port (the platform
 * is always in ACPI mode); PM1a event/control and PM timer blocks of
 * drivers/pm_timer.h (24-bit timer); RESET_REG = I/O port 0xcf9, value 6
 * (RESET_REG_SUP); IAPC_BOOT_ARCH = LEGACY_DEVICES | 8042 | VGA not present;
 * century CMOS register 0x32; no power or sleep button; C2/C3 unsupported.
 *
 * Layout from base_gpa: the RSDP first (so with base_gpa in
 * 0xe0000-0xfffff the legacy RSDP scan finds it), then each table 16-byte
 * aligned (the FACS 64-byte aligned), all inside ACPI_TABLES_MAX_SIZE.
 */
#ifndef TERN_DRIVERS_ACPI_TABLES_H
#define TERN_DRIVERS_ACPI_TABLES_H

#include "kernel/lib/types.h"

#define ACPI_TABLES_BASE      0xe0000ull   /* where tern's loaders put them */
#define ACPI_TABLES_MAX_SIZE  0x2000ull    /* bytes reserved at base_gpa */
#define ACPI_RSDP_ALIGN       16
#define ACPI_LAPIC_ADDR       0xfee00000u
#define ACPI_IOAPIC_ADDR      0xfec00000u
#define ACPI_MAX_VCPUS        255          /* xAPIC IDs in 8 bits, the IOAPIC takes one */

struct vm;

/*
 * Build the tables for vm (vm_nr_vcpus() processors) in guest RAM at
 * [base_gpa, base_gpa + ACPI_TABLES_MAX_SIZE) and store the RSDP's address
 * in *rsdp_gpa. Returns 0, -TERN_EINVAL (base_gpa not 64-byte aligned or
 * the area not below 4 GiB; no vCPUs or more than ACPI_MAX_VCPUS),
 * -TERN_ENOMEM, or -TERN_EFAULT (the area is not guest RAM).
 */
int acpi_tables_build(struct vm *vm, u64 base_gpa, u64 *rsdp_gpa);

#endif
