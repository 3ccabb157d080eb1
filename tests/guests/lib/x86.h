/* SPDX-License-Identifier: MIT */
/* Constants of the guests' flat 32-bit environment, shared by C and assembly. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#define GUEST_CODE_SEL    0x08
#define GUEST_DATA_SEL    0x10

#define NR_EXCEPTIONS     32
#define VEC_DE   0   /* divide error */
#define VEC_DB   1
#define VEC_NMI  2
#define VEC_BP   3
#define VEC_OF   4
#define VEC_BR   5
#define VEC_UD   6   /* invalid opcode */
#define VEC_NM   7
#define VEC_DF   8   /* double fault (error code) */
#define VEC_TS   10  /* invalid TSS (error code) */
#define VEC_NP   11  /* segment not present (error code) */
#define VEC_SS   12  /* stack fault (error code) */
#define VEC_GP   13  /* general protection (error code) */
#define VEC_PF   14  /* page fault (error code) */
#define VEC_MF   16
#define VEC_AC   17  /* alignment check (error code) */
#define VEC_MC   18
#define VEC_XM   19
#define VEC_VE   20
#define VEC_CP   21  /* control protection (error code) */

#endif
