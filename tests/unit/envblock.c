/* ISC license. */

/*
 * Unit test: utls_envblock_add, utls_envblock_finish and
 * utls_envblock_add_peer. The certificates are those of x509.c
 * (unit-certs.h: test vectors of the parser, not trust material).
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <utls/utls.h>

#define UNIT_NAME "envblock"
#include "unit.h"
#include "unit-certs.h"

/*
 * Checks that a finished block is a well-formed list of NAME=value
 * entries ending with an empty one, and returns the value of name or 0.
 */
static char const *lookup (utls_envblock const *block, char const *name)
{
  size_t pos = 0, namelen = strlen(name);
  char const *found = 0;
  while (pos < block->len && block->buf[pos])
  {
    char const *entry = block->buf + pos;
    size_t n = strlen(entry);
    if (!strchr(entry, '=') || entry[n - 1] == '=') { fail("block", "entry without a value"); return 0; }
    if (!strncmp(entry, name, namelen) && entry[namelen] == '=') found = entry + namelen + 1;
    pos += n + 1;
  }
  if (pos + 1 != block->len) { fail("block", "not terminated by one empty entry"); return 0; }
  return found;
}

static unsigned int count_entries (utls_envblock const *block)
{
  size_t pos = 0;
  unsigned int n = 0;
  while (pos < block->len && block->buf[pos]) { pos += strlen(block->buf + pos) + 1; n++; }
  return n;
}

static void test_add (void)
{
  static char const want[] = "A=1\0BB=two words\nand a line\0\0";
  utls_envblock block = UTLS_ENVBLOCK_ZERO;
  utls_envblock_add(&block, "A", "1");
  utls_envblock_add(&block, "EMPTY", "");
  utls_envblock_add(&block, "NULL", 0);
  utls_envblock_add(&block, "BB", "two words\nand a line");
  CHECK(block.len == sizeof(want) - 2, "add len");
  CHECK(utls_envblock_finish(&block) == 1, "finish");
  CHECK(block.len == sizeof(want) - 1 && !memcmp(block.buf, want, block.len), "finished block");
  CHECK(lookup(&block, "BB") && !strcmp(lookup(&block, "BB"), "two words\nand a line"), "lookup");
  CHECK(!lookup(&block, "EMPTY") && !lookup(&block, "NULL"), "no empty entry");
}

static void test_empty_block (void)
{
  utls_envblock block = UTLS_ENVBLOCK_ZERO;
  CHECK(utls_envblock_finish(&block) == 1 && block.len == 1 && !block.buf[0], "empty finish");
}

/* An entry that leaves exactly one byte for the final NUL fits; one more byte does not. */
static void test_boundary (void)
{
  static char value[UTLS_ENVBLOCK_MAX];
  utls_envblock block = UTLS_ENVBLOCK_ZERO;
  size_t n = UTLS_ENVBLOCK_MAX - 1 - 3;   /* "V=" + value + NUL, then the final NUL */
  memset(value, 'x', n);
  value[n] = 0;
  utls_envblock_add(&block, "V", value);
  CHECK(!block.overflow && block.len == UTLS_ENVBLOCK_MAX - 1, "exact fit");
  CHECK(utls_envblock_finish(&block) == 1 && block.len == UTLS_ENVBLOCK_MAX, "exact fit finish");
  block.len = 0; block.overflow = 0;
  value[n] = 'x'; value[n + 1] = 0;
  utls_envblock_add(&block, "V", value);
  CHECK(block.overflow && block.len == 0, "one byte over");
  CHECK(utls_envblock_finish(&block) == 0, "one byte over finish");
}

static void test_overflow (void)
{
  static char value[1000];
  utls_envblock block = UTLS_ENVBLOCK_ZERO;
  unsigned int i;
  size_t before;
  memset(value, 'v', sizeof(value) - 1);
  value[sizeof(value) - 1] = 0;
  for (i = 0 ; i < 20 ; i++)
  {
    before = block.len;
    utls_envblock_add(&block, "SSL_SOMETHING", value);
    if (block.len > UTLS_ENVBLOCK_MAX - 1) fail("overflow", "len past the end");
    if (block.overflow && block.len != before) fail("overflow", "partial entry written");
  }
  CHECK(block.overflow, "overflow set");
  CHECK(count_entries(&block) == 16, "whole entries kept");
  before = block.len;
  utls_envblock_add(&block, "X", "y");
  CHECK(block.len == before, "nothing after overflow");
  CHECK(utls_envblock_finish(&block) == 0, "overflow finish");
}

static void expect_var (utls_envblock const *block, char const *name, char const *want)
{
  char const *got = lookup(block, name);
  if (!want && got) fail(name, "present");
  else if (want && (!got || strcmp(got, want)))
  {
    char d[512];
    snprintf(d, sizeof(d), "got [%s], want [%s]", got ? got : "(absent)", want);
    fail(name, d);
  }
}

static void test_peer_a (void)
{
  static char const dn[] = "emailAddress=admin@example.com,CN=test.example.com,OU=R\\+D+UID=jdoe,O=Example\\, Inc.,C=FR";
  utls_envblock block = UTLS_ENVBLOCK_ZERO;
  utls_envblock_add(&block, "SSL_PROTOCOL", "TLSv1.2");
  CHECK(utls_envblock_add_peer(&block, "SSL_CLIENT_", cert_a, sizeof(cert_a)) == 0, "add_peer a");
  CHECK(utls_envblock_finish(&block) == 1, "finish a");
  CHECK(!strcmp(block.buf, "SSL_PROTOCOL=TLSv1.2"), "SSL_PROTOCOL first");
  expect_var(&block, "SSL_CLIENT_S_DN", dn);
  expect_var(&block, "SSL_PEER_CERT_SUBJECT", dn);
  expect_var(&block, "SSL_CLIENT_I_DN", dn);
  expect_var(&block, "SSL_CLIENT_S_DN_CN", "test.example.com");
  expect_var(&block, "SSL_CLIENT_S_DN_Email", "admin@example.com");
  expect_var(&block, "SSL_CLIENT_M_SERIAL", "8A0102030405060708");
  expect_var(&block, "SSL_CLIENT_V_START", "Jan  1 00:00:00 2020 GMT");
  expect_var(&block, "SSL_CLIENT_V_END", "Jan  1 00:00:00 2050 GMT");
  expect_var(&block, "SSL_PEER_CERT_HASH", "SHA256:5a2d5b0eef38b58475f084740f105f42db034a5a169066b0bf7957030ab4365e");
  CHECK(count_entries(&block) == 10, "entries a");
}

static void test_peer_b (void)
{
  utls_envblock block = UTLS_ENVBLOCK_ZERO;
  CHECK(utls_envblock_add_peer(&block, "SSL_SERVER_", cert_b, sizeof(cert_b)) == 0, "add_peer b");
  CHECK(utls_envblock_finish(&block) == 1, "finish b");
  expect_var(&block, "SSL_SERVER_S_DN", "DC=com,DC=example,O=Acme,CN=Zo\xc3\xab M\xc3\xbcller");
  expect_var(&block, "SSL_SERVER_S_DN_CN", "Zo\xc3\xab M\xc3\xbcller");
  expect_var(&block, "SSL_SERVER_S_DN_Email", 0);
  expect_var(&block, "SSL_SERVER_I_DN", "emailAddress=admin@example.com,CN=test.example.com,OU=R\\+D+UID=jdoe,O=Example\\, Inc.,C=FR");
  expect_var(&block, "SSL_SERVER_M_SERIAL", "01");
  expect_var(&block, "SSL_SERVER_V_START", "Feb 29 12:34:56 2024 GMT");
  expect_var(&block, "SSL_SERVER_V_END", "Dec 31 23:59:59 2049 GMT");
  expect_var(&block, "SSL_PEER_CERT_HASH", "SHA256:fadbc3f80044eef559d962484035975be749f7c756639c37eccaaacb6bb4aec4");
  expect_var(&block, "SSL_CLIENT_S_DN", 0);
  CHECK(count_entries(&block) == 8, "entries b");
}

static void test_peer_bad (void)
{
  utls_envblock block = UTLS_ENVBLOCK_ZERO;
  CHECK(utls_envblock_add_peer(&block, "SSL_CLIENT_", cert_a, sizeof(cert_a) - 1) == UTLS_ERR_BADDER, "bad der");
  CHECK(block.len == 0 && !block.overflow, "bad der adds nothing");
  CHECK(utls_envblock_add_peer(&block, "SSL_CLIENT_", cert_a, 0) == UTLS_ERR_BADDER, "empty der");
}

/* A block that is almost full overflows cleanly in the middle of add_peer. */
static void test_peer_overflow (void)
{
  static char value[UTLS_ENVBLOCK_MAX];
  utls_envblock block = UTLS_ENVBLOCK_ZERO;
  size_t n = UTLS_ENVBLOCK_MAX - 300;
  memset(value, 'x', n);
  value[n] = 0;
  utls_envblock_add(&block, "PAD", value);
  CHECK(utls_envblock_add_peer(&block, "SSL_CLIENT_", cert_a, sizeof(cert_a)) == 0, "peer overflow rc");
  CHECK(block.overflow && block.len <= UTLS_ENVBLOCK_MAX - 1, "peer overflow flag");
  CHECK(utls_envblock_finish(&block) == 0, "peer overflow finish");
}

int main (void)
{
  test_add();
  test_empty_block();
  test_boundary();
  test_overflow();
  test_peer_a();
  test_peer_b();
  test_peer_bad();
  test_peer_overflow();
  return failures ? 1 : 0;
}
