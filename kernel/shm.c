/* SPDX-License-Identifier: MIT */
/*
 * Shared-memory regions (kernel/shm.h). A region's host memory comes in
 * 2 MiB chunks (the last one as many pages as it needs, rounded up to a
 * power of two), so no large contiguous block is needed; each chunk is
 * mapped at its own gpa, as one 2 MiB EPT page where it can be.
 * Regions are created and released only while VMs are created or
 * destroyed; the lock keeps that safe wherever it happens.
 */
#include "arch/x86/vmx.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/shm.h"
#include "kernel/vm_impl.h"

#define SHM_CHUNK       (2 * MiB)
#define SHM_MAX_CHUNKS  (CONFIG_SHM_WINDOW_SIZE / SHM_CHUNK)

/* The host memory of one region, shared by the VMs that map it. */
struct shm_backing {
	u64 size;
	unsigned refs;                  /* VMs mapping it; 0 = not allocated */
	unsigned nr_chunks;
	void *chunks[SHM_MAX_CHUNKS];
};

static struct shm_backing backings[CONFIG_MAX_SHM];   /* by region index */
static spinlock_t shm_lock = SPINLOCK_INIT;

/* Page order of chunk i of a region of size bytes. */
static unsigned chunk_order(u64 size, unsigned i)
{
	u64 bytes = MIN(size - (u64)i * SHM_CHUNK, SHM_CHUNK);
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static void backing_free(struct shm_backing *b)
{
	for (unsigned i = 0; i < b->nr_chunks; i++)
		page_free(b->chunks[i], chunk_order(b->size, i));
	memset(b, 0, sizeof(*b));
}

/* Zeroed chunks for size bytes (page_alloc zeroes): no old host data reaches a guest. */
static int backing_alloc(struct shm_backing *b, u64 size)
{
	unsigned n = (unsigned)((size + SHM_CHUNK - 1) / SHM_CHUNK);

	b->size = size;
	for (unsigned i = 0; i < n; i++) {
		b->chunks[i] = page_alloc(chunk_order(size, i));
		if (!b->chunks[i]) {
			backing_free(b);
			return -TERN_ENOMEM;
		}
		b->nr_chunks = i + 1;
	}
	return 0;
}

/* Take a reference on region r's memory, allocating it on first use. */
static int backing_get(const struct shm_config *r, struct shm_backing **out)
{
	struct shm_backing *b = &backings[r->index];
	int rc = 0;

	spin_lock(&shm_lock);
	if (!b->refs)
		rc = backing_alloc(b, r->size);
	else if (b->size != r->size)
		rc = -TERN_EINVAL;
	if (!rc) {
		b->refs++;
		*out = b;
	}
	spin_unlock(&shm_lock);
	return rc;
}

static void backing_put(unsigned index)
{
	struct shm_backing *b = &backings[index];

	spin_lock(&shm_lock);
	if (b->refs && !--b->refs)
		backing_free(b);
	spin_unlock(&shm_lock);
}

/* Inside the window, 4 KiB granular, a known index. */
static bool region_ok(const struct shm_config *r)
{
	return r->index < CONFIG_MAX_SHM && r->size && IS_ALIGNED(r->size | r->gpa, PAGE_SIZE) &&
	       r->gpa >= CONFIG_SHM_WINDOW_GPA && r->size <= CONFIG_SHM_WINDOW_SIZE &&
	       r->gpa - CONFIG_SHM_WINDOW_GPA <= CONFIG_SHM_WINDOW_SIZE - r->size;
}

static int map_region(struct vm *vm, const struct shm_config *r, const struct shm_backing *b)
{
	for (unsigned i = 0; i < b->nr_chunks; i++) {
		u64 off = (u64)i * SHM_CHUNK;
		int rc = vmx_vm_map(vm, r->gpa + off, b->chunks[i], MIN(r->size - off, SHM_CHUNK));

		if (rc)
			return rc;
	}
	return 0;
}

static int attach(struct vm *vm, const struct shm_config *r)
{
	struct shm_backing *b;
	int rc = region_ok(r) ? backing_get(r, &b) : -TERN_EINVAL;

	if (rc)
		return rc;
	vm->shm[vm->nr_shm++] = *r;   /* recorded first: shm_vm_destroy() drops the reference */
	return map_region(vm, r, b);
}

int shm_vm_init(struct vm *vm, const struct vm_config *cfg)
{
	for (unsigned i = 0; i < cfg->nr_shm && i < CONFIG_MAX_SHM; i++) {
		const struct shm_config *r = &cfg->shm[i];
		int rc = attach(vm, r);

		if (rc == -TERN_ENOMEM) {
			pr_err("vm%u: out of memory for shared region '%s' (%llu KiB)", vm->id, r->name,
			       (unsigned long long)(r->size / KiB));
			return rc;
		}
		if (rc) {
			pr_err("vm%u: shared region '%s' cannot be mapped at 0x%llx (error %d)", vm->id,
			       r->name, (unsigned long long)r->gpa, rc);
			return rc;
		}
	}
	return 0;
}

void shm_vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_shm; i++)
		backing_put(vm->shm[i].index);
	vm->nr_shm = 0;
}

int shm_query(struct vm *vm, u64 index, struct tern_shm_info *out)
{
	const struct shm_config *r;

	if (index >= vm->nr_shm)
		return -TERN_ENOENT;
	STATIC_ASSERT(sizeof(out->name) == sizeof(r->name));
	r = &vm->shm[index];
	memset(out, 0, sizeof(*out));
	out->gpa = r->gpa;
	out->size = r->size;
	out->region = r->index;
	out->vms = r->vms;
	memcpy(out->name, r->name, sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	return 0;
}

bool vm_shm_region(struct vm *vm, unsigned i, u64 *gpa, u64 *size)
{
	if (i >= vm->nr_shm)
		return false;
	*gpa = vm->shm[i].gpa;
	*size = vm->shm[i].size;
	return true;
}
