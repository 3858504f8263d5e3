/* ISC license. */

/*
 * Unit test: utls_envblock_add_session writes the session facts and
 * leaves no copy of the master secret on the stack. The session
 * parameters are set through BearSSL's public API with a master secret
 * of 48 bytes 0xA5; after the call, a probe function at the same stack
 * depth scans its own (never written) frame for that pattern. Reading
 * memory nobody initialised is exactly the point here: it is what an
 * attacker with a later stack disclosure would read.
 */

#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include <utls/utls.h>
#include <utls/setup.h>

#define UNIT_NAME "session"
#include "unit.h"
#define PATTERN 0xa5
#define PROBE_SIZE 8192

static br_ssl_client_context cc;
static utls_envblock block;

static void __attribute__((noinline)) add_session (void)
{
  utls_envblock_add_session(&block, &cc.eng, "mx.example.org", 0);
}

/* Longest run of PATTERN bytes in a frame this function never wrote. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
static size_t __attribute__((noinline)) probe (void)
{
  volatile unsigned char area[PROBE_SIZE];
  size_t i = 0, run = 0, best = 0;
  for (; i < PROBE_SIZE; i++)
  {
    run = area[i] == PATTERN ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
#pragma GCC diagnostic pop

/* Fills the stack below us with zeros first, so that only the call under
   test can leave the pattern there. */
static unsigned char __attribute__((noinline)) clear_stack (void)
{
  volatile unsigned char area[PROBE_SIZE];
  size_t i = 0;
  for (; i < PROBE_SIZE; i++) area[i] = 0;
  return area[PROBE_SIZE - 1];
}

static int has (char const *s)
{
  size_t n = strlen(s), i = 0;
  for (; i + n <= block.len; i++) if (!memcmp(block.buf + i, s, n)) return 1;
  return 0;
}

int main (void)
{
  static br_ssl_session_parameters sp;
  size_t run;
  br_ssl_client_zero(&cc);
  /* A first call with a zero secret: in a dynamically linked test, the
     first call of each libc function goes through the lazy binder, which
     saves every vector register (where memcpy left secret bytes) on the
     stack. That is not the code under test: resolve them all first. */
  add_session();
  block.len = 0;
  memset(&sp, 0, sizeof sp);
  sp.version = BR_TLS12;
  sp.cipher_suite = BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
  memset(sp.master_secret, PATTERN, sizeof sp.master_secret);
  br_ssl_engine_set_session_parameters(&cc.eng, &sp);
  memset(&sp, 0, sizeof sp);

  if (clear_stack()) fail("clear_stack", "the stack was not cleared");
  add_session();
  run = probe();
  CHECK(run < 16, "a copy of the master secret was left on the stack");
  CHECK(utls_envblock_finish(&block), "block finished");
  CHECK(has("SSL_CIPHER=ECDHE-ECDSA-AES128-GCM-SHA256"), "SSL_CIPHER");
  CHECK(has("SSL_TLS_SNI_SERVERNAME=mx.example.org"), "SSL_TLS_SNI_SERVERNAME");
  CHECK(has("SSL_SESSION_RESUMED=Initial"), "SSL_SESSION_RESUMED");
  block.len = 0;
  utls_envblock_add_session(&block, &cc.eng, "mx.example.org", 1);
  CHECK(utls_envblock_finish(&block), "block finished");
  CHECK(has("SSL_SESSION_RESUMED=Resumed"), "SSL_SESSION_RESUMED resumed");
  CHECK(!has("SSL_SESSION_RESUMED=Initial"), "SSL_SESSION_RESUMED once");
  return failures ? 1 : 0;
}
