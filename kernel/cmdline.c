/* SPDX-License-Identifier: MIT */
/*
 * The tern command line (syntax in kernel/config.h). Every rejection names
 * the token and says why in one line, because the user sees only that line.
 */
#include <stdarg.h>

#include "irq/irq.h"
#include "kernel/cmdline_internal.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"

#define TOKEN_MAX        1024               /* a token never exceeds the boot_info cmdline */
#define TOKEN_SHOW_MAX   60                 /* how much of a token a message quotes */
#define VM_MEM_MIN       (1 * MiB)
#define VM_MEM_ALIGN     (4 * KiB)
#define VM_MEM_MAX       (1024 * GiB)       /* beyond any host tern runs on: a typo */
#define LOGLEVEL_MAX     3
#define DEFAULT_LOGLEVEL 2


int cmdline_reject(struct cmdline_ctx *c, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (c->token)
		fmt_snprintf(c->err, c->errlen, "'%.*s%s': %s", TOKEN_SHOW_MAX, c->token,
			     strlen(c->token) > TOKEN_SHOW_MAX ? "..." : "", reason);
	else
		fmt_snprintf(c->err, c->errlen, "%s", reason);
	return -TERN_EINVAL;
}

size_t cmdline_field_len(const char *s, char sep)
{
	const char *end = strchr(s, sep);

	return end ? (size_t)(end - s) : strlen(s);
}

/* Length of the field at s up to the next comma or the end. */
static size_t field_len(const char *s)
{
	return cmdline_field_len(s, ',');
}

/* Offset of the first '=' in s[0..len), or len when there is none. */
static size_t equals_at(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] != '=')
		i++;
	return i;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n';
}

/*
 * Decode the next token at *pp into buf: quotes group, backslash escapes.
 * Returns 1 with a token, 0 at the end of the line, or an error.
 */
static int next_token(struct cmdline_ctx *c, const char **pp, char *buf, size_t cap)
{
	const char *p = *pp;
	bool quoted = false;
	size_t n = 0;

	while (is_space(*p))
		p++;
	if (!*p)
		return 0;
	c->token = p;   /* raw text until decoded */
	for (; *p && (quoted || !is_space(*p)); p++) {
		char ch = *p;

		if (ch == '"') {
			quoted = !quoted;
			continue;
		}
		if (ch == '\\') {
			if (!p[1])
				return cmdline_reject(c, "a backslash ends the line");
			ch = *++p;
		}
		if (n + 1 >= cap)
			return cmdline_reject(c, "token longer than %zu bytes", cap - 1);
		buf[n++] = ch;
	}
	if (quoted)
		return cmdline_reject(c, "unterminated double quote");
	buf[n] = '\0';
	c->token = buf;
	*pp = p;
	return 1;
}

/* Copy s[0..len) into dst[cap] as a string; what names the field in a rejection. */
static int copy_str(struct cmdline_ctx *c, char *dst, size_t cap, const char *s, size_t len,
		    const char *what)
{
	if (len == 0)
		return cmdline_reject(c, "empty %s", what);
	if (len >= cap)
		return cmdline_reject(c, "%s is %zu bytes, the limit is %zu", what, len, cap - 1);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static int parse_vm_mem(struct cmdline_ctx *c, struct vm_config *vm, const char *v, size_t len)
{
	u64 mem;
	int ret = parse_u64(v, len, &mem, true);

	if (ret == -TERN_ERANGE)
		return cmdline_reject(c, "mem=%.*s is too large", (int)len, v);
	if (ret)
		return cmdline_reject(c, "mem=%.*s is not a size (use K, M or G)", (int)len, v);
	if (mem < VM_MEM_MIN)
		return cmdline_reject(c, "mem=%.*s is below 1 MiB", (int)len, v);
	if (!IS_ALIGNED(mem, VM_MEM_ALIGN))
		return cmdline_reject(c, "mem=%.*s is not a multiple of 4 KiB", (int)len, v);
	if (mem > VM_MEM_MAX)
		return cmdline_reject(c, "mem=%.*s is larger than 1 TiB", (int)len, v);
	vm->mem = mem;
	return 0;
}

static int parse_vm_cpus(struct cmdline_ctx *c, struct vm_config *vm, const char *v, size_t len)
{
	u64 n;

	if (parse_u64(v, len, &n, false))
		return cmdline_reject(c, "cpus=%.*s is not a number", (int)len, v);
	if (n == 0 || n > TERN_MAX_VCPUS)
		return cmdline_reject(c, "cpus=%.*s is outside 1..%d", (int)len, v, TERN_MAX_VCPUS);
	vm->cpus = (unsigned)n;
	return 0;
}

/* pin=C0:C1:... : the physical CPU of each vCPU in order. */
static int parse_vm_pin(struct cmdline_ctx *c, struct vm_config *vm, const char *v, size_t len)
{
	size_t i = 0;

	while (i <= len) {
		size_t n = 0;
		u64 cpu;

		while (i + n < len && v[i + n] != ':')
			n++;
		if (vm->nr_pins >= CONFIG_MAX_PINS)
			return cmdline_reject(c, "pin= lists more than %d CPUs", CONFIG_MAX_PINS);
		if (parse_u64(v + i, n, &cpu, false) || cpu >= CONFIG_NO_PIN)
			return cmdline_reject(c, "pin=%.*s: '%.*s' is not a CPU number", (int)len, v, (int)n,
				      v + i);
		vm->pin[vm->nr_pins++] = (u8)cpu;
		i += n + 1;
	}
	return 0;
}


static int parse_vm_module(struct cmdline_ctx *c, struct vm_config *vm, const char *v, size_t len)
{
	if (vm->nr_modules >= CONFIG_MAX_VM_MODULES)
		return cmdline_reject(c, "more than %d module= options", CONFIG_MAX_VM_MODULES);
	return copy_str(c, vm->modules[vm->nr_modules++], CONFIG_STR_MAX, v, len, "module name");
}

#define CONTROL_KEY     "control"
#define CONTROL_KEY_LEN (sizeof(CONTROL_KEY) - 1)

/* The control flag: this VM may grant and revoke doorbell rights; one VM at most. */
static int parse_vm_control(struct cmdline_ctx *c, struct vm_config *vm, size_t len)
{
	if (len != CONTROL_KEY_LEN)
		return cmdline_reject(c, "control takes no value");
	if (vm->control)
		return cmdline_reject(c, "control given twice");
	for (unsigned i = 0; i < c->cfg->nr_vms; i++)
		if (c->cfg->vms[i].control)
			return cmdline_reject(c, "vm%u is the control VM already (one at most)", i);
	vm->control = true;
	return 0;
}

/* One option of a vm= token (not args=): key=value, or the control flag. */
static int parse_vm_option(struct cmdline_ctx *c, struct vm_config *vm, const char *opt, size_t len,
			   bool *seen_mem, bool *seen_cpus)
{
	size_t klen = equals_at(opt, len);
	const char *v = opt + klen + 1;
	size_t vlen;

	if (klen == CONTROL_KEY_LEN && !memcmp(opt, CONTROL_KEY, CONTROL_KEY_LEN))
		return parse_vm_control(c, vm, len);
	if (klen == len)
		return cmdline_reject(c, "option '%.*s' has no =VALUE", (int)len, opt);
	vlen = len - klen - 1;
	if (vlen == 0)
		return cmdline_reject(c, "empty value for %.*s=", (int)klen, opt);
	if (klen == 3 && !memcmp(opt, "mem", 3)) {
		if (*seen_mem)
			return cmdline_reject(c, "mem= given twice");
		*seen_mem = true;
		return parse_vm_mem(c, vm, v, vlen);
	}
	if (klen == 4 && !memcmp(opt, "cpus", 4)) {
		if (*seen_cpus)
			return cmdline_reject(c, "cpus= given twice");
		*seen_cpus = true;
		return parse_vm_cpus(c, vm, v, vlen);
	}
	if (klen == 6 && !memcmp(opt, "module", 6))
		return parse_vm_module(c, vm, v, vlen);
	if (klen == 3 && !memcmp(opt, "pin", 3)) {
		if (vm->nr_pins)
			return cmdline_reject(c, "pin= given twice");
		return parse_vm_pin(c, vm, v, vlen);
	}
	return cmdline_reject(c, "unknown vm option '%.*s'", (int)klen, opt);
}

#define ARGS_KEY     "args="
#define ARGS_KEY_LEN (sizeof(ARGS_KEY) - 1)

static int parse_vm(struct cmdline_ctx *c, const char *spec)
{
	struct vm_config *vm;
	bool seen_mem = false, seen_cpus = false;
	const char *p = spec;
	size_t len = field_len(p);
	int ret;

	if (c->cfg->nr_vms >= CONFIG_MAX_VMS)
		return cmdline_reject(c, "more than %d vm= tokens", CONFIG_MAX_VMS);
	vm = &c->cfg->vms[c->cfg->nr_vms];
	if (equals_at(p, len) < len)
		return cmdline_reject(c, "the kernel module name must come first: vm=KERNEL,...");
	ret = copy_str(c, vm->kernel, sizeof(vm->kernel), p, len, "kernel module name");
	if (ret)
		return ret;
	vm->mem = CONFIG_DEFAULT_VM_MEM;
	vm->cpus = 1;
	for (p += len; *p; p += len) {
		p++;   /* the comma */
		if (!strncmp(p, ARGS_KEY, ARGS_KEY_LEN)) {
			p += ARGS_KEY_LEN;
			ret = copy_str(c, vm->args, sizeof(vm->args), p, strlen(p), "args=");
			if (ret)
				return ret;
			break;   /* args= takes the rest */
		}
		len = field_len(p);
		if (len == 0)
			return cmdline_reject(c, "empty option (stray comma)");
		ret = parse_vm_option(c, vm, p, len, &seen_mem, &seen_cpus);
		if (ret)
			return ret;
	}
	if (vm->nr_pins > vm->cpus)
		return cmdline_reject(c, "pin= lists %u CPUs for %u vCPUs", vm->nr_pins, vm->cpus);
	c->cfg->nr_vms++;
	return 0;
}

static bool trace_category_ok(const char *s, size_t len)
{
	static const char *const known[] = { "irq", "exit", "doorbell" };

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (strlen(known[i]) == len && !memcmp(known[i], s, len))
			return true;
	return false;
}

static int parse_trace(struct cmdline_ctx *c, const char *list)
{
	size_t total = strlen(list);
	int ret;

	if (c->seen_trace)
		return cmdline_reject(c, "trace= given twice");
	c->seen_trace = true;
	ret = copy_str(c, c->cfg->trace, sizeof(c->cfg->trace), list, total, "trace= list");
	if (ret)
		return ret;
	for (const char *p = list; ; p++) {
		size_t len = field_len(p);

		if (!trace_category_ok(p, len))
			return cmdline_reject(c, "unknown trace category '%.*s' "
					      "(irq, exit, doorbell)", (int)len, p);
		p += len;
		if (!*p)
			return 0;
	}
}

static int parse_loglevel(struct cmdline_ctx *c, const char *v)
{
	u64 level;

	if (c->seen_loglevel)
		return cmdline_reject(c, "loglevel= given twice");
	c->seen_loglevel = true;
	if (parse_u64(v, strlen(v), &level, false) || level > LOGLEVEL_MAX)
		return cmdline_reject(c, "loglevel must be 0..%d", LOGLEVEL_MAX);
	c->cfg->loglevel = (int)level;
	return 0;
}

static int parse_flag(struct cmdline_ctx *c, bool *seen, bool *flag)
{
	if (*seen)
		return cmdline_reject(c, "given twice");
	*seen = true;
	*flag = true;
	return 0;
}

static int parse_apicv(struct cmdline_ctx *c, const char *v)
{
	if (strcmp(v, "on") && strcmp(v, "off"))
		return cmdline_reject(c, "apicv must be on or off");
	if (c->seen_apicv)
		return cmdline_reject(c, "apicv= given twice");
	c->seen_apicv = true;
	c->cfg->apicv_off = !strcmp(v, "off");
	return 0;
}

static int parse_token(struct cmdline_ctx *c, const char *t)
{
	if (!*t)
		return cmdline_reject(c, "empty token");
	if (!strcmp(t, "stats"))
		return parse_flag(c, &c->seen_stats, &c->cfg->stats);
	if (!strcmp(t, "irqdump"))
		return parse_flag(c, &c->seen_irqdump, &c->cfg->irqdump);
	if (!strncmp(t, "vm=", 3))
		return parse_vm(c, t + 3);
	if (!strncmp(t, "trace=", 6))
		return parse_trace(c, t + 6);
	if (!strncmp(t, "loglevel=", 9))
		return parse_loglevel(c, t + 9);
	if (!strncmp(t, "apicv=", 6))
		return parse_apicv(c, t + 6);
	if (!strcmp(t, "selftest=guard"))
		return parse_flag(c, &c->seen_selftest, &c->cfg->selftest_guard);
	return cmdline_reject(c, "unknown token");
}

/* Which tokens a pass parses: every vm= (and the rest) first, then the links between VMs. */
enum pass { PASS_VMS, PASS_LINKS };

static int parse_pass(struct cmdline_ctx *c, const char *line, enum pass pass)
{
	char token[TOKEN_MAX];
	const char *p = line;
	bool first = true;
	int ret;

	while ((ret = next_token(c, &p, token, sizeof(token))) > 0) {
		/* GRUB may put the kernel's path first. */
		bool is_path = first && token[0] == '/';

		first = false;
		if (is_path || cmdline_is_link_token(token) != (pass == PASS_LINKS))
			continue;
		ret = pass == PASS_LINKS ? cmdline_parse_link(c, token) : parse_token(c, token);
		if (ret)
			break;
	}
	c->token = NULL;   /* it pointed into token[] (the error message is written already) */
	return ret;
}

int cmdline_parse(const char *cmdline, struct tern_config *cfg, char *err, size_t errlen)
{
	struct cmdline_ctx c = { .cfg = cfg, .err = err, .errlen = errlen };
	const char *line = cmdline ? cmdline : "";
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->loglevel = DEFAULT_LOGLEVEL;
	if (errlen)
		err[0] = '\0';
	ret = parse_pass(&c, line, PASS_VMS);
	if (ret < 0)
		return ret;
	c.token = NULL;
	if (cfg->nr_vms == 0)
		return cmdline_reject(&c, "no vm= token: nothing to run");
	return parse_pass(&c, line, PASS_LINKS);
}
