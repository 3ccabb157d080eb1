/* SPDX-License-Identifier: MIT */
#include "drivers/misc_ports.h"
#include "drivers/pci_host.h"
#include "kernel/io.h"
#include "kernel/lib/endian.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

#define CFG_ADDR_ENABLE     BIT(31)
#define CFG_ADDR_MASK       0x80fffffcu     /* enable, bus, device, function, register */
#define CFG_ADDR_BDF_SHIFT  8
#define CFG_ADDR_BDF_MASK   0xffffu         /* bus 15:8, device 7:3, function 2:0 */
#define CFG_ADDR_REG_MASK   0xfcu
#define HOST_BRIDGE_BDF     0               /* 00:00.0 */

#define RESET_CONTROL_KEPT  (BIT(1) | BIT(3))

/* Type 0 header offsets. */
#define PCI_VENDOR_ID       0x00
#define PCI_DEVICE_ID       0x02
#define PCI_COMMAND         0x04
#define PCI_REVISION_ID     0x08
#define PCI_CLASS_PROG      0x09
#define PCI_HEADER_TYPE     0x0e
#define PCI_CONFIG_SIZE     256

#define PCI_COMMAND_MEMORY  BIT(1)
#define PCI_COMMAND_MASTER  BIT(2)
#define HOST_BRIDGE_REV     0x02
#define PCI_HEADER_TYPE_0   0x00
#define ALL_ONES            0xffffffffu

struct pci_host {
	spinlock_t lock;          /* guards address and reset_control */
	struct vm *vm;
	u32 address;
	u8 reset_control;
	u8 config[PCI_CONFIG_SIZE];   /* the host bridge, constant after create */
};


static void host_bridge_init(u8 *cfg)
{
	put_le(cfg + PCI_VENDOR_ID, PCI_HOST_VENDOR_ID, 2);
	put_le(cfg + PCI_DEVICE_ID, PCI_HOST_DEVICE_ID, 2);
	put_le(cfg + PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	cfg[PCI_REVISION_ID] = HOST_BRIDGE_REV;
	put_le(cfg + PCI_CLASS_PROG, PCI_HOST_CLASS, 3);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_0;
}

static u32 config_read(const struct pci_host *ph, u32 address, unsigned offset, unsigned size)
{
	unsigned reg = (address & CFG_ADDR_REG_MASK) + offset;
	u32 v = 0;

	if (!(address & CFG_ADDR_ENABLE) ||
	    ((address >> CFG_ADDR_BDF_SHIFT) & CFG_ADDR_BDF_MASK) != HOST_BRIDGE_BDF)
		return ALL_ONES;
	for (unsigned i = 0; i < size; i++)
		v |= (u32)ph->config[(reg + i) % PCI_CONFIG_SIZE] << (8 * i);
	return v;
}

static void reset_control_write(struct pci_host *ph, u8 val)
{
	spin_lock(&ph->lock);
	ph->reset_control = val & RESET_CONTROL_KEPT;
	spin_unlock(&ph->lock);
	if (val & PCI_RESET_CONTROL_RST_CPU)
		vm_request_reset(ph->vm, "port 0xcf9");
}

static int pci_host_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in,
			u32 *val)
{
	struct pci_host *ph = opaque;
	u32 address;

	(void)vcpu_id;
	if (port == PCI_PORT_RESET_CONTROL && size == 1 && !in) {
		reset_control_write(ph, (u8)*val);
		return 0;
	}
	spin_lock(&ph->lock);
	if (port == PCI_PORT_CONFIG_ADDRESS && size == 4 && !in)
		ph->address = *val & CFG_ADDR_MASK;
	address = ph->address;
	if (in) {
		if (port >= PCI_PORT_CONFIG_DATA)
			*val = config_read(ph, address, port - PCI_PORT_CONFIG_DATA, size);
		else if (port == PCI_PORT_CONFIG_ADDRESS && size == 4)
			*val = address;
		else if (port == PCI_PORT_RESET_CONTROL && size == 1)
			*val = ph->reset_control;
		else
			*val = ALL_ONES;
	}
	spin_unlock(&ph->lock);
	/* data writes: the bridge is read-only, absent devices ignore them */
	return 0;
}

int pci_host_create(struct vm *vm, struct pci_host **out)
{
	struct pci_host *ph = kzalloc(sizeof(*ph));
	int ret;

	if (!ph)
		return -TERN_ENOMEM;
	spin_lock_init(&ph->lock);
	ph->vm = vm;
	host_bridge_init(ph->config);
	ret = pio_register(vm, PCI_PORT_CONFIG_ADDRESS, PCI_HOST_NR_PORTS, pci_host_pio, ph);
	if (ret < 0) {
		kfree(ph);
		return ret;
	}
	*out = ph;
	return 0;
}

void pci_host_destroy(struct pci_host *ph)
{
	kfree(ph);
}
