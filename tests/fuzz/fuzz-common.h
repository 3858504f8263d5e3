/* ISC license. */

#ifndef UTLS_FUZZ_COMMON_H
#define UTLS_FUZZ_COMMON_H

/*
 * Shared by the libFuzzer harnesses of tests/fuzz (see run.sh).
 *
 * Our programs die through skalibs' strerr_diev/strerr_dievsys (every
 * strerr_die* macro ends there), which write a message and _exit. A
 * harness that includes this file with FUZZ_CATCH_DIE defined gets its
 * own definitions of both, which the linker takes instead of
 * libskarnet's: they longjmp back to the harness, so that one input that
 * makes a parser die ends one iteration, not the fuzzer. Nothing that
 * dies in the code under test holds heap memory, so jumping out leaks
 * nothing (LeakSanitizer would tell).
 */

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "fuzz: assertion failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); abort(); } } while (0)

#ifdef FUZZ_CATCH_DIE
#include <skalibs/strerr.h>

static jmp_buf fuzz_jb;
static int fuzz_armed;
static int fuzz_exitcode;

static void fuzz_die (int e, char const *const *v, unsigned int n) __attribute__((noreturn));
static void fuzz_die (int e, char const *const *v, unsigned int n)
{
  if (!fuzz_armed) abort();     /* died outside the code under test */
  fuzz_exitcode = e;
  if (getenv("FUZZ_VERBOSE"))
  {
    unsigned int i = 0;
    for (; i < n; i++) fputs(v[i], stderr);
    fputc('\n', stderr);
  }
  fuzz_armed = 0;
  longjmp(fuzz_jb, 1);
}

void strerr_diev (int e, char const *const *v, unsigned int n)
{
  fuzz_die(e, v, n);
}

void strerr_dievsys (int e, char const *const *v, unsigned int n)
{
  fuzz_die(e, v, n);
}

/* Runs code; died is set to 1 if it died (fuzz_exitcode has the code), else 0. */
#define FUZZ_TRY(died, code) do \
{ \
  fuzz_exitcode = -1; \
  fuzz_armed = 1; \
  if (setjmp(fuzz_jb)) (died) = 1; \
  else { code; fuzz_armed = 0; (died) = 0; } \
} while (0)
#endif

#endif
