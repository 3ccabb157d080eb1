/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration mechanism #1 with one device: an i440FX-like host
 * bridge at bus 0, device 0, function 0 (vendor 0x8086, device 0x1237,
 * class 0x060000, header type 0), read-only. Every other bus/device/function
 * reads all ones and ignores writes.
 *   0xcf8  CONFIG_ADDRESS, dword accesses only: bit 31 enable, bus 23:16,
 *          device 15:11, function 10:8, register 7:2 (bits 30:24 and 1:0
 *          read 0). Other widths at 0xcf8/0xcfa/0xcfb are ignored (read ones).
 *   0xcf9  byte access: reset control. Bits 1 (system reset) and 3 (full
 *          reset) are kept; a write with bit 2 (reset CPU) set asks for a
 *          platform reset (drivers/misc_ports.h: the VM ends, warm reset
 *          does not exist yet). Guests write 0x06 or 0x0e.
 *   0xcfc-0xcff CONFIG_DATA: byte/word/dword accesses at 0xcfc + n reach
 *          register (address & 0xfc) + n; with the enable bit clear reads
 *          are all ones and writes are ignored.
 */
#ifndef TERN_DRIVERS_PCI_HOST_H
#define TERN_DRIVERS_PCI_HOST_H

#include "kernel/lib/types.h"

#define PCI_PORT_CONFIG_ADDRESS  0xcf8
#define PCI_PORT_RESET_CONTROL   0xcf9
#define PCI_PORT_CONFIG_DATA     0xcfc
#define PCI_HOST_NR_PORTS        8          /* 0xcf8-0xcff */
#define PCI_RESET_CONTROL_RST_CPU BIT(2)

#define PCI_HOST_VENDOR_ID       0x8086
#define PCI_HOST_DEVICE_ID       0x1237
#define PCI_HOST_CLASS           0x060000u  /* bridge, host bridge */

struct vm;
struct pci_host;

/*
 * Create the host bridge of vm and register ports 0xcf8-0xcff. Returns 0 and
 * the instance in *out, or -TERN_ENOMEM, or what pio_register() returned.
 */
int pci_host_create(struct vm *vm, struct pci_host **out);

/* Free an instance (NULL ignored); only once its VM no longer runs. */
void pci_host_destroy(struct pci_host *ph);

#endif
