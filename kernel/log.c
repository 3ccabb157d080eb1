/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "kernel/log.h"
#include "kernel/console.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"

#define LOG_PREFIX      "tern: "
#define LOG_PREFIX_LEN  (sizeof(LOG_PREFIX) - 1)
#define LOG_TEXT_MAX    512
#define LOG_TRUNC_MARK  "..."
/* Room for a prefix on every line of the text and the final newline. */
#define LOG_LINE_MAX    (LOG_TEXT_MAX * (LOG_PREFIX_LEN + 1) / 4 + LOG_TEXT_MAX)

static int log_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	WRITE_ONCE(log_level, (int)level);
}

/* Append text to out, prefixing every line; returns the new length. */
static size_t prefix_lines(char *out, size_t cap, const char *text, size_t len)
{
	size_t n = 0;
	bool line_start = true;

	for (size_t i = 0; i < len && n + LOG_PREFIX_LEN + 2 <= cap; i++) {
		if (line_start) {
			memcpy(out + n, LOG_PREFIX, LOG_PREFIX_LEN);
			n += LOG_PREFIX_LEN;
		}
		out[n++] = text[i];
		line_start = text[i] == '\n';
	}
	if (n == 0) {
		memcpy(out, LOG_PREFIX, LOG_PREFIX_LEN);
		n = LOG_PREFIX_LEN;
	}
	if (out[n - 1] != '\n')
		out[n++] = '\n';
	return n;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	char text[LOG_TEXT_MAX];
	char line[LOG_LINE_MAX];
	va_list ap;
	int len;

	if ((int)level > READ_ONCE(log_level))
		return;
	va_start(ap, fmt);
	len = fmt_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(text)) {
		len = sizeof(text) - 1;
		memcpy(text + len - (sizeof(LOG_TRUNC_MARK) - 1), LOG_TRUNC_MARK,
		       sizeof(LOG_TRUNC_MARK) - 1);
	}
	console_write_line(line, prefix_lines(line, sizeof(line), text, (size_t)len));
}
