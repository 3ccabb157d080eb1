/* SPDX-License-Identifier: MIT */
#include "kernel/lib/format.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padding(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left;
	bool zero;
	bool alt;        /* '#': 0x before a non-zero %x, 0 before a non-zero %o */
	int width;
	int precision;   /* -1: none */
	int length;      /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

static void put_number(struct out *o, const struct spec *sp, u64 v,
		       unsigned base, bool upper, bool negative)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	const char *prefix = "";
	char tmp[24];
	int n = 0, len;

	if (sp->alt && v && base == 16)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && v && base == 8)
		prefix = "0";
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (negative ? 1 : 0) + (int)__builtin_strlen(prefix);
	if (!sp->left && !sp->zero)
		put_padding(o, ' ', sp->width - len);
	if (negative)
		put(o, '-');
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	if (!sp->left && sp->zero)
		put_padding(o, '0', sp->width - len);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		put_padding(o, ' ', sp->width - len);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		put_padding(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		put_padding(o, ' ', sp->width - len);
}

static u64 fetch_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 2: return va_arg(*ap, unsigned long long);
	case 1: return va_arg(*ap, unsigned long);
	case -1: return (u16)va_arg(*ap, unsigned int);
	case -2: return (u8)va_arg(*ap, unsigned int);
	default: return va_arg(*ap, unsigned int);
	}
}

static s64 fetch_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 2: return va_arg(*ap, long long);
	case 1: return va_arg(*ap, long);
	case -1: return (s16)va_arg(*ap, int);
	case -2: return (s8)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		sp->precision = 0;
		f++;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			sp->length = sp->length == 1 ? 2 : 1;
		else if (*f == 'z')
			sp->length = 1;
		else if (*f == 'h')
			sp->length = sp->length == -1 ? -2 : -1;
		else
			break;
	}
	return f;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &args);
		switch (*f) {
		case 'd':
		case 'i': {
			s64 v = fetch_signed(&sp, &args);

			put_number(&o, &sp, v < 0 ? -(u64)v : (u64)v, 10, false, v < 0);
			break;
		}
		case 'u': put_number(&o, &sp, fetch_unsigned(&sp, &args), 10, false, false); break;
		case 'x': put_number(&o, &sp, fetch_unsigned(&sp, &args), 16, false, false); break;
		case 'X': put_number(&o, &sp, fetch_unsigned(&sp, &args), 16, true, false); break;
		case 'o': put_number(&o, &sp, fetch_unsigned(&sp, &args), 8, false, false); break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, &sp, (uintptr_t)va_arg(args, void *), 16, false, false);
			break;
		case 'c': put(&o, (char)va_arg(args, int)); break;
		case 's': put_string(&o, &sp, va_arg(args, const char *)); break;
		case '%': put(&o, '%'); break;
		case '\0': f--; break;
		default: put(&o, '%'); put(&o, *f); break;
		}
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
