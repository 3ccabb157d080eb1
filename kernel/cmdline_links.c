/* SPDX-License-Identifier: MIT */
/*
 * The command-line tokens that link VMs (syntax in kernel/config.h,
 * design in docs/intervm.md): doorbell=OWNER:GSI:RINGERS and
 * shm=NAME:SIZE:VMS. They name VMs by the position of their vm= token, so
 * they are parsed after every vm= token, wherever they stand on the line.
 */
#include "kernel/cmdline_internal.h"
#include "kernel/lib/string.h"
#include "kernel/limits.h"

#define DOORBELL_KEY   "doorbell="
#define SHM_KEY        "shm="
#define LINK_FIELDS    3          /* every link token has three ':' fields */
#define SHM_MIN        (4 * KiB)
#define SHM_MAX        CONFIG_SHM_WINDOW_SIZE

/* A token's three fields, each a (pointer, length) into the token. */
struct fields {
	const char *s[LINK_FIELDS];
	size_t len[LINK_FIELDS];
};

static bool starts_with(const char *t, const char *key)
{
	return !strncmp(t, key, strlen(key));
}

bool cmdline_is_link_token(const char *t)
{
	return starts_with(t, DOORBELL_KEY) || starts_with(t, SHM_KEY);
}

/* Split v at ':' into exactly three non-empty fields. */
static int split_fields(struct cmdline_ctx *c, const char *v, struct fields *f,
			const char *syntax)
{
	for (unsigned i = 0; i < LINK_FIELDS; i++) {
		f->s[i] = v;
		f->len[i] = cmdline_field_len(v, ':');
		if (f->len[i] == 0)
			return cmdline_reject(c, "empty field %u: %s", i + 1, syntax);
		v += f->len[i];
		if (i + 1 < LINK_FIELDS && *v++ != ':')
			return cmdline_reject(c, "%u field%s, needs %u: %s", i + 1,
					      i ? "s" : "", LINK_FIELDS, syntax);
	}
	if (*v)
		return cmdline_reject(c, "more than %u fields: %s", LINK_FIELDS, syntax);
	return 0;
}

/* A VM number: a vm= token's position (0 = the first). */
static int parse_vm_index(struct cmdline_ctx *c, const char *s, size_t len, unsigned *out)
{
	u64 v;

	if (parse_u64(s, len, &v, false))
		return cmdline_reject(c, "'%.*s' is not a VM number", (int)len, s);
	if (v >= c->cfg->nr_vms)
		return cmdline_reject(c, "there is no vm%.*s (vm= tokens: %u, numbered from 0)",
				      (int)len, s, c->cfg->nr_vms);
	*out = (unsigned)v;
	return 0;
}

/* VM numbers joined by '+' into a bitmap; each at most once. */
static int parse_vm_list(struct cmdline_ctx *c, const char *s, size_t len, u32 *mask)
{
	size_t at = 0;

	*mask = 0;
	for (;;) {
		size_t n = 0;
		unsigned vm = 0;
		int ret;

		while (at + n < len && s[at + n] != '+')
			n++;
		if (n == 0)
			return cmdline_reject(c, "empty VM number in '%.*s'", (int)len, s);
		ret = parse_vm_index(c, s + at, n, &vm);
		if (ret)
			return ret;
		if (*mask & BIT(vm))
			return cmdline_reject(c, "vm%u is listed twice", vm);
		*mask |= BIT(vm);
		at += n;
		if (at == len)
			return 0;
		at++;   /* the '+' */
	}
}

/* ------------------------------------------------------------ doorbell= */

#define DOORBELL_SYNTAX "doorbell=OWNER:GSI:RINGER[+RINGER]..."

static int parse_doorbell(struct cmdline_ctx *c, const char *v)
{
	struct fields f = { .s = { NULL } };   /* the analyzer cannot see a rejection is never 0 */
	struct vm_config *owner;
	unsigned owner_id = 0;
	u64 gsi;
	u32 ringers;
	int ret = split_fields(c, v, &f, DOORBELL_SYNTAX);

	if (!ret)
		ret = parse_vm_index(c, f.s[0], f.len[0], &owner_id);
	if (ret)
		return ret;
	if (parse_u64(f.s[1], f.len[1], &gsi, false) || gsi >= LIMIT_VM_GSIS)
		return cmdline_reject(c, "GSI '%.*s' is not a number in 0..%u", (int)f.len[1], f.s[1],
				      LIMIT_VM_GSIS - 1);
	ret = parse_vm_list(c, f.s[2], f.len[2], &ringers);
	if (ret)
		return ret;
	if (ringers & BIT(owner_id))
		return cmdline_reject(c, "vm%u owns the doorbell and always rings it: not a ringer",
				      owner_id);
	owner = &c->cfg->vms[owner_id];
	for (unsigned i = 0; i < owner->nr_doorbells; i++)
		if (owner->doorbells[i].gsi == gsi)
			return cmdline_reject(c, "vm%u has a doorbell= on GSI %u already", owner_id,
					      (unsigned)gsi);
	if (owner->nr_doorbells >= CONFIG_MAX_VM_DOORBELLS)
		return cmdline_reject(c, "more than %d doorbell= tokens for vm%u",
				      CONFIG_MAX_VM_DOORBELLS, owner_id);
	owner->doorbells[owner->nr_doorbells++] = (struct doorbell_config){ (u32)gsi, ringers };
	return 0;
}

/* ------------------------------------------------------------ shm= */

#define SHM_SYNTAX "shm=NAME:SIZE:VM+VM[+VM]..."

static bool name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.' || ch == '-';
}

static int parse_shm_name(struct cmdline_ctx *c, const char *s, size_t len, char *out)
{
	const struct tern_config *cfg = c->cfg;

	if (len >= CONFIG_SHM_NAME_MAX)
		return cmdline_reject(c, "shm name is %zu bytes, the limit is %d", len,
				      CONFIG_SHM_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if (!name_char_ok(s[i]))
			return cmdline_reject(c, "shm name '%.*s' may hold only letters, digits, "
					      "'_', '.' and '-'", (int)len, s);
	for (unsigned i = 0; i < cfg->nr_shm; i++)
		if (strlen(cfg->shm[i].name) == len && !memcmp(cfg->shm[i].name, s, len))
			return cmdline_reject(c, "a region named '%.*s' exists already", (int)len, s);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

static int parse_shm_size(struct cmdline_ctx *c, const char *s, size_t len, u64 *out)
{
	int ret = parse_u64(s, len, out, true);

	if (ret == -TERN_ERANGE)
		return cmdline_reject(c, "size %.*s is too large", (int)len, s);
	if (ret)
		return cmdline_reject(c, "size '%.*s' is not a size (use K, M or G)", (int)len, s);
	if (*out < SHM_MIN || *out > SHM_MAX || !IS_ALIGNED(*out, SHM_MIN))
		return cmdline_reject(c, "size %.*s is not a multiple of 4 KiB in 4 KiB..256 MiB",
				      (int)len, s);
	return 0;
}

/* Where the next region goes: after the last one, 2 MiB aligned; 0 when it does not fit. */
static u64 shm_place(const struct tern_config *cfg, u64 size)
{
	u64 at = CONFIG_SHM_WINDOW_GPA;

	if (cfg->nr_shm) {
		const struct shm_config *last = &cfg->shm[cfg->nr_shm - 1];

		at = ALIGN_UP(last->gpa + last->size, CONFIG_SHM_ALIGN);
	}
	return at + size <= CONFIG_SHM_WINDOW_GPA + CONFIG_SHM_WINDOW_SIZE ? at : 0;
}

/* Each VM in r->vms gets a copy of r (its list stays in gpa order: regions come in order). */
static void shm_give(struct tern_config *cfg, const struct shm_config *r)
{
	for (unsigned i = 0; i < cfg->nr_vms; i++)
		if (r->vms & BIT(i))
			cfg->vms[i].shm[cfg->vms[i].nr_shm++] = *r;
}

static int parse_shm(struct cmdline_ctx *c, const char *v)
{
	struct tern_config *cfg = c->cfg;
	struct shm_config r = { .index = cfg->nr_shm };
	struct fields f = { .s = { NULL } };
	int ret = split_fields(c, v, &f, SHM_SYNTAX);

	if (ret)
		return ret;
	if (cfg->nr_shm >= CONFIG_MAX_SHM)
		return cmdline_reject(c, "more than %d shm= tokens", CONFIG_MAX_SHM);
	ret = parse_shm_name(c, f.s[0], f.len[0], r.name);
	if (!ret)
		ret = parse_shm_size(c, f.s[1], f.len[1], &r.size);
	if (!ret)
		ret = parse_vm_list(c, f.s[2], f.len[2], &r.vms);
	if (ret)
		return ret;
	if (!(r.vms & (r.vms - 1)))
		return cmdline_reject(c, "a shared region needs at least two VMs");
	r.gpa = shm_place(cfg, r.size);
	if (!r.gpa)
		return cmdline_reject(c, "the regions do not fit the %llu MiB window at 0x%llx "
				      "(each starts 2 MiB aligned)", CONFIG_SHM_WINDOW_SIZE / MiB,
				      CONFIG_SHM_WINDOW_GPA);
	cfg->shm[cfg->nr_shm++] = r;
	shm_give(cfg, &r);
	return 0;
}

int cmdline_parse_link(struct cmdline_ctx *c, const char *t)
{
	if (starts_with(t, DOORBELL_KEY))
		return parse_doorbell(c, t + strlen(DOORBELL_KEY));
	return parse_shm(c, t + strlen(SHM_KEY));
}
