/* ISC license. */

/*
 * unit.h: the harness the unit tests (tests/unit/NAME.c) share. A test
 * defines UNIT_NAME (its name, for messages), includes <stdio.h> and
 * then this file.
 *
 * Output contract (tests/run.sh reads only the exit status): a test
 * prints nothing when it passes; each failed check prints one line on
 * stderr, "NAME: FAIL: detail", and counts in `failures`; main ends with
 * "return failures ? 1 : 0;". A harness error (no PKI, no temporary
 * directory) returns 99 at once.
 *
 *   CHECK(cond, fmt, ...)  when cond is false:
 *                          "NAME: FAIL: line N: MESSAGE: cond is false"
 *   fail(what, detail)     "NAME: FAIL: what: detail"
 *   failf(fmt, ...)        "NAME: FAIL: MESSAGE"
 */

#ifndef UTLS_UNIT_H
#define UTLS_UNIT_H

#include <stdarg.h>
#include <stdio.h>

#ifndef UNIT_NAME
#error "define UNIT_NAME before including unit.h"
#endif

static int failures = 0;

#define CHECK(cond, ...) do { if (!(cond)) unit_check_failed(__LINE__, #cond, __VA_ARGS__); } while (0)

static void unit_check_failed (int line, char const *cond, char const *fmt, ...)
  __attribute__((format(printf, 3, 4), unused));

static void unit_check_failed (int line, char const *cond, char const *fmt, ...)
{
  va_list ap;
  fprintf(stderr, UNIT_NAME ": FAIL: line %d: ", line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, ": %s is false\n", cond);
  failures++;
}

static void failf (char const *fmt, ...) __attribute__((format(printf, 1, 2), unused));

static void failf (char const *fmt, ...)
{
  va_list ap;
  fputs(UNIT_NAME ": FAIL: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  failures++;
}

static void fail (char const *what, char const *detail) __attribute__((unused));

static void fail (char const *what, char const *detail)
{
  failf("%s: %s", what, detail);
}

#endif
