/* SPDX-License-Identifier: MIT */
/*
 * tern error codes: the one enum used by tern itself and returned to guests.
 * Values equal Linux errno numbers so KVM-style paravirtual calls (which
 * return -errno) and tern's own hypercalls speak the same language.
 * Functions return 0 or a positive count on success, -TERN_Exxx on failure.
 */
#ifndef TERN_ERRNO_H
#define TERN_ERRNO_H

enum tern_err {
	TERN_OK          = 0,
	TERN_EPERM       = 1,   /* not allowed (e.g. ringing a doorbell not granted) */
	TERN_ENOENT      = 2,   /* no such object (doorbell id, module, VM) */
	TERN_EIO         = 5,
	TERN_E2BIG       = 7,   /* request larger than a limit */
	TERN_ENOEXEC     = 8,   /* not a loadable image */
	TERN_EAGAIN      = 11,
	TERN_ENOMEM      = 12,
	TERN_EFAULT      = 14,  /* guest pointer outside the VM's RAM */
	TERN_EBUSY       = 16,
	TERN_EEXIST      = 17,
	TERN_ENODEV      = 19,
	TERN_EINVAL      = 22,
	TERN_ENOSPC      = 28,  /* a per-VM limit is reached */
	TERN_ERANGE      = 34,
	TERN_ENOSYS      = 38,
	TERN_EOPNOTSUPP  = 95,
	TERN_ETIMEDOUT   = 110,
	/* KVM's paravirtual ABI answers unknown hypercalls with -1000 */
	TERN_KVM_ENOSYS  = 1000,
};

#endif
