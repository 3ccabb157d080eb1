/* SPDX-License-Identifier: MIT */
/*
 * ACPI fixed hardware of the guest platform (the FADT in
 * drivers/acpi_tables.c points here), at I/O ports 0x600-0x60b:
 *   0x600  PM1a_EVT_BLK (4 bytes): PM1 status (16 bits, write 1 to clear;
 *          nothing ever sets a bit) and PM1 enable (16 bits, kept).
 *   0x604  PM1a_CNT_BLK (2 bytes): SCI_EN (bit 0) reads 1 always (the
 *          platform is in ACPI mode: the FADT has no SMI command port);
 *          SLP_TYP (bits 12:10) kept; writing SLP_EN (bit 13) with SLP_TYP
 *          = ACPI_SLP_TYP_S5 powers the VM off (vm_request_exit(vm, 0)); other
 *          sleep states are ignored.
 *   0x608  PM_TMR_BLK (4 bytes): the 24-bit PM timer at 3.579545 MHz from
 *          clock_now(), read only.
 * Byte, word and dword accesses at any offset read and write the bytes
 * they cover. The SCI (GSI 9) is never raised.
 */
#ifndef TERN_DRIVERS_PM_TIMER_H
#define TERN_DRIVERS_PM_TIMER_H

#include "kernel/lib/types.h"

#define ACPI_PM_BASE          0x600
#define ACPI_PM1A_EVT_BLK     0x600
#define ACPI_PM1_EVT_LEN      4
#define ACPI_PM1A_CNT_BLK     0x604
#define ACPI_PM1_CNT_LEN      2
#define ACPI_PM_TMR_BLK       0x608
#define ACPI_PM_TMR_LEN       4
#define ACPI_PM_NR_PORTS      12
#define ACPI_PM_TIMER_HZ      3579545u
#define ACPI_PM_TIMER_MASK    0xffffffu
#define ACPI_SCI_IRQ          9
#define ACPI_SLP_TYP_S5       5     /* the value of \_S5 in the DSDT */

struct vm;
struct acpi_pm;

/*
 * Create the ACPI PM registers of vm and register ports 0x600-0x60b.
 * Returns 0 and the instance in *out, or -TERN_EINVAL (no TSC rate),
 * -TERN_ENOMEM, or what pio_register() returned.
 */
int acpi_pm_create(struct vm *vm, struct acpi_pm **out);

/* Free an instance (NULL ignored); only once its VM no longer runs. */
void acpi_pm_destroy(struct acpi_pm *pm);

#endif
