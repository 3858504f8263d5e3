/* ISC license. */

/*
 * Unit test: the shared session cache (utls_sesscache_*) and the
 * ClientHello reader (utls_clienthello_peek).
 *
 * Files live in a fresh directory under $TMPDIR (or /tmp), removed at
 * the end. Checked: a round trip; role and id separation; expiry (and
 * the wipe of an expired entry); constant eviction in a one-bucket file,
 * never returning another id's entry; a torn slot (even counter, bad
 * checksum) and a busy slot (odd counter) refused; a dead writer's slot
 * taken back after UTLS_SC_STALE seconds; every bad file refused with a
 * reason; and many processes at once: writers killed with SIGKILL in a
 * loop while readers fetch, no reader ever accepting an inconsistent
 * entry. Every loop is bounded.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bearssl.h>

#include <utls/utls.h>
#include <utls/setup.h>
#include <utls/sesscache.h>
#include "sesscache-internal.h"

#define UNIT_NAME "sesscache"
#include "unit.h"

static char dir[256];

static char const *path (char const *name)
{
  static char buf[4][512];
  static unsigned int i = 0;
  char *p = buf[i++ & 3];
  snprintf(p, 512, "%s/%s", dir, name);
  return p;
}

/* Opens (or creates) the cache file dir/name; 1 if it worked, else 0
   after a failure that names the file and the reason. */
static int cache_open (utls_sesscache *c, char const *name, uint32_t nslots, uint32_t lifetime)
{
  char const *why = 0;
  if (!utls_sesscache_open(c, path(name), nslots, lifetime, &why) && c->map) return 1;
  failf("open %s: %s", name, why ? why : "no reason given");
  return 0;
}

/* Writes len bytes of buf to the new file dir/name (mode 0600, then
   mode); a failure counts as the check what. */
static void file_write (char const *what, char const *name, void const *buf, size_t len, mode_t mode)
{
  int fd = open(path(name), O_WRONLY | O_CREAT | O_EXCL, 0600);
  CHECK(fd >= 0 && (!len || write(fd, buf, len) == (ssize_t)len), "%s", what);
  if (fd >= 0)
  {
    if (mode != 0600) fchmod(fd, mode);
    close(fd);
  }
}

/* An entry whose every byte follows from (id byte k, generation g): a
   reader can tell a consistent entry from a mixture. */
static void make (utls_sessentry *e, unsigned int k, unsigned int g, int64_t now)
{
  unsigned int i;
  memset(e, 0, sizeof *e);
  memset(e->id, (int)k, 32);
  memset(e->bind, (int)(k ^ 0x5a), 32);
  e->params.session_id_len = 32;
  memset(e->params.session_id, (int)k, 32);
  e->params.version = BR_TLS12;
  e->params.cipher_suite = BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
  for (i = 0; i < 48; i++) e->params.master_secret[i] = (unsigned char)(k * 7 + g + i);
  e->created = now;
  snprintf(e->name, sizeof e->name, "host%u.example", k);
  e->factslen = 200 + (g % 300);
  for (i = 0; i < e->factslen; i++) e->facts[i] = (char)(g + i);
}

/* 1 if e is exactly make(k, g) for some g (read back from the facts). */
static int consistent (utls_sessentry const *e, unsigned int k)
{
  utls_sessentry want;
  unsigned int g = (unsigned char)e->facts[0];
  unsigned int gg;
  /* g is only known mod 256 from facts[0]; factslen gives g mod 300. */
  for (gg = g; gg < 256 * 300; gg += 256)
    if (200 + (gg % 300) == e->factslen) break;
  if (gg >= 256 * 300) return 0;
  make(&want, k, gg, e->created);
  return !memcmp(e->id, want.id, 32) && !memcmp(e->bind, want.bind, 32)
    && !memcmp(&e->params, &want.params, sizeof want.params)
    && !strcmp(e->name, want.name) && e->factslen == want.factslen
    && !memcmp(e->facts, want.facts, want.factslen);
}

static void roundtrip (void)
{
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  utls_sessentry e, out;
  char const *why = 0;
  struct stat st;
  int64_t now = 1700000000;
  if (!cache_open(&c, "a", 64, 100)) return;
  CHECK(!stat(path("a"), &st) && (st.st_mode & 0777) == 0600, "mode 0600");
  CHECK(st.st_size == UTLS_SC_HEADER + 64 * UTLS_SC_SLOT, "size");
  make(&e, 1, 3, now);
  CHECK(utls_sesscache_store(&c, UTLS_SC_SERVER, &e, now), "store");
  CHECK(utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now + 99, &out), "fetch");
  CHECK(consistent(&out, 1) && out.created == now, "fetched entry");
  CHECK(!utls_sesscache_fetch(&c, UTLS_SC_CLIENT, e.id, now, &out), "other role");
  memset(out.id, 2, 32);
  CHECK(!utls_sesscache_fetch(&c, UTLS_SC_SERVER, out.id, now, &out), "other id");
  CHECK(!utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now + 100, &out), "expired at the lifetime");
  CHECK(!utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now, &out), "expired entry wiped");
  make(&e, 1, 4, now + 10);
  utls_sesscache_store(&c, UTLS_SC_SERVER, &e, now + 10);
  CHECK(!utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now, &out), "created in the future");
  {
    /* The wipe left no master secret in the file. */
    size_t i, run = 0;
    unsigned char const *m = c.map;
    make(&e, 9, 1, now);
    utls_sesscache_store(&c, UTLS_SC_SERVER, &e, now);
    CHECK(utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now, &out), "found before wipe");
    utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now + 1000, &out);
    for (i = 0; i + 48 <= c.len; i++)
      if (!memcmp(m + i, e.params.master_secret, 48)) run++;
    CHECK(!run, "expired master secret wiped from the file");
  }
  utls_sesscache_close(&c);
  c.lifetime = 0;
  CHECK(!utls_sesscache_open(&c, path("a"), 8, 100, &why) && c.nslots == 64, "reopen");
  utls_sesscache_close(&c);
}

static void eviction (void)
{
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  utls_sessentry e, out;
  int64_t now = 1700000000;
  unsigned int k, found = 0, wrong = 0;
  if (!cache_open(&c, "tiny", 4, 3600)) return;
  for (k = 1; k <= 200; k++)
  {
    make(&e, k, k, now + k);
    CHECK(utls_sesscache_store(&c, UTLS_SC_SERVER, &e, now + k), "store in a full cache");
    if (!utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now + k, &out) || !consistent(&out, k)) wrong++;
  }
  CHECK(!wrong, "the last stored is always there");
  for (k = 1; k <= 200; k++)
  {
    memset(e.id, (int)k, 32);
    if (utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now + 200, &out))
    {
      found++;
      if (!consistent(&out, k)) wrong++;
    }
  }
  CHECK(found == 4, "four slots, four entries");
  CHECK(!wrong, "the oldest were evicted");
  memset(e.id, 200, 32);
  CHECK(utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now + 200, &out), "newest kept");
  utls_sesscache_close(&c);
}

static void torn (void)
{
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  utls_sessentry e, out;
  int64_t now = 1700000000;
  uint32_t b, i, seq;
  utlsp_scslot *slot = 0;
  if (!cache_open(&c, "torn", 16, 3600)) return;
  make(&e, 5, 7, now);
  utls_sesscache_store(&c, UTLS_SC_SERVER, &e, now);
  b = utlsp_sc_bucket(&c, UTLS_SC_SERVER, e.id);
  for (i = 0; i < UTLS_SC_WAYS; i++)
    if (utlsp_sc_slot(&c, b + i)->role == UTLS_SC_SERVER) slot = utlsp_sc_slot(&c, b + i);
  if (!slot) { fail("torn", "stored slot not found"); return; }
  slot->facts[10] ^= 1;
  CHECK(!utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now, &out), "torn slot refused");
  slot->facts[10] ^= 1;
  CHECK(utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now, &out), "repaired slot accepted");
  slot->master[0] ^= 0x80;
  CHECK(!utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now, &out), "changed secret refused");
  slot->master[0] ^= 0x80;
  /* A writer that died in the slot. */
  CHECK(utlsp_sc_claim(slot, (uint32_t)now, &seq), "claim");
  slot->master[0] ^= 0x80;
  CHECK(!utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now, &out), "busy slot refused");
  CHECK(!utlsp_sc_claim(slot, (uint32_t)now + 1, &seq), "busy slot not taken at once");
  /* every slot of the bucket busy but this one: the store goes around */
  for (i = 0; i < UTLS_SC_WAYS; i++)
  {
    utlsp_scslot *s = utlsp_sc_slot(&c, b + i);
    uint32_t q;
    if (s != slot) CHECK(utlsp_sc_claim(s, (uint32_t)now, &q), "claim others");
  }
  CHECK(!utls_sesscache_store(&c, UTLS_SC_SERVER, &e, now + 1), "store refused while all are busy");
  CHECK(utls_sesscache_store(&c, UTLS_SC_SERVER, &e, now + UTLS_SC_STALE), "stale slot taken back");
  CHECK(utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, now + UTLS_SC_STALE, &out) && consistent(&out, 5), "entry readable after takeover");
  utls_sesscache_close(&c);
}

static void expect_bad (char const *what, char const *file, char const *reason)
{
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  char const *why = 0;
  if (!utls_sesscache_open(&c, file, 16, 3600, &why)) { fail(what, "was accepted"); utls_sesscache_close(&c); return; }
  if (c.map) fail(what, "map left set");
  if (!why || !strstr(why, reason))
    failf("%s: reason \"%s\", wanted \"%s\"", what, why ? why : "(none)", reason);
}

static void badfiles (void)
{
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  char const *why;
  if (!cache_open(&c, "good", 16, 3600)) return;
  utls_sesscache_close(&c);
  CHECK(!symlink(path("good"), path("link")), "symlink");
  expect_bad("symlink", path("link"), "symbolic link");
  expect_bad("missing directory", path("nodir/cache"), "No such file or directory");
  CHECK(!mkdir(path("adir"), 0700), "mkdir");
  expect_bad("directory", path("adir"), "");
  {
    char junk[4096];
    memset(junk, 'x', sizeof junk);
    memcpy(junk, "GIF89a", 6);
    file_write("foreign", "foreign", junk, sizeof junk, 0600);
  }
  expect_bad("foreign", path("foreign"), "bad magic");
  file_write("empty", "empty", "", 0, 0600);
  expect_bad("empty", path("empty"), "truncated");
  {
    /* copies of the good file, then damaged */
    static unsigned char buf[UTLS_SC_HEADER + 16 * UTLS_SC_SLOT];
    int in = open(path("good"), O_RDONLY);
    ssize_t n = in >= 0 ? read(in, buf, sizeof buf) : -1;
    if (in >= 0) close(in);
    CHECK(n == (ssize_t)sizeof buf, "read good");
    file_write("short", "short", buf, sizeof buf - UTLS_SC_SLOT, 0600);
    expect_bad("truncated", path("short"), "does not match");
    buf[8]++;
    file_write("v2", "v2", buf, sizeof buf, 0600);
    expect_bad("other version", path("v2"), "format version");
    buf[8]--;
    file_write("open", "open", buf, sizeof buf, 0644);
    expect_bad("readable by others", path("open"), "mode 0600");
  }
  CHECK(utls_sesscache_open(&c, path("x"), 2, 3600, &why) < 0, "bad size");
}

/*
 * Writers store entries for ids 1..8 in an 8-slot file (2 buckets:
 * constant eviction) as fast as they can and are killed with SIGKILL
 * after a random few hundred microseconds, in a loop; readers fetch
 * all the time and check every entry they get.
 */
#define READERS 3
#define ROUNDS 300

static void writer (unsigned int seed)
{
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  utls_sessentry e;
  char const *why;
  unsigned int g = seed;
  if (utls_sesscache_open(&c, path("shared"), 8, 3600, &why)) _exit(2);
  for (;;)
  {
    unsigned int k = 1 + (g % 8);
    int64_t now = (int64_t)time(0);
    make(&e, k, g, now);
    utls_sesscache_store(&c, UTLS_SC_SERVER, &e, now);
    g += 7;
  }
}

static void reader (int fd)
{
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  utls_sessentry e;
  char const *why;
  unsigned long got = 0, bad = 0, n;
  char line[64];
  if (utls_sesscache_open(&c, path("shared"), 8, 3600, &why)) _exit(2);
  for (n = 0; n < 3000000; n++)
  {
    unsigned char id[32];
    unsigned int k = 1 + (n % 8);
    memset(id, (int)k, 32);
    if (utls_sesscache_fetch(&c, UTLS_SC_SERVER, id, (int64_t)time(0), &e))
    {
      got++;
      if (!consistent(&e, k)) bad++;
    }
    if (getppid() == 1) break;
    if (!(n & 1023))
    {
      char c1;
      if (read(fd, &c1, 1) == 0) break;
    }
  }
  snprintf(line, sizeof line, "%lu %lu\n", got, bad);
  if (write(1, line, strlen(line)) < 0) _exit(3);
  _exit(0);
}

static void concurrent (void)
{
  int stop[2], out[2];
  pid_t readers[READERS];
  unsigned int i, round;
  unsigned long got = 0, bad = 0;
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  FILE *f;
  if (!cache_open(&c, "shared", 8, 3600)) return;
  utls_sesscache_close(&c);
  if (pipe(stop) < 0 || pipe(out) < 0) { fail("pipe", strerror(errno)); return; }
  fcntl(stop[0], F_SETFL, O_NONBLOCK);
  for (i = 0; i < READERS; i++)
  {
    readers[i] = fork();
    if (readers[i] < 0) { fail("fork", strerror(errno)); return; }
    if (!readers[i])
    {
      close(stop[1]);
      close(out[0]);
      dup2(out[1], 1);
      reader(stop[0]);
    }
  }
  close(out[1]);
  close(stop[0]);
  srand(12345);
  for (round = 0; round < ROUNDS; round++)
  {
    pid_t w = fork();
    if (w < 0) { fail("fork writer", strerror(errno)); break; }
    if (!w) writer(round * 1000);
    usleep(100 + rand() % 900);
    kill(w, SIGKILL);
    waitpid(w, 0, 0);
  }
  close(stop[1]);
  f = fdopen(out[0], "r");
  for (i = 0; f && i < READERS; i++)
  {
    unsigned long g1, b1;
    if (fscanf(f, "%lu %lu", &g1, &b1) == 2) { got += g1; bad += b1; }
    else fail("reader", "no result");
  }
  for (i = 0; i < READERS; i++) waitpid(readers[i], 0, 0);
  if (f) fclose(f);
  if (getenv("SESSCACHE_VERBOSE")) fprintf(stderr, "%s: concurrent: %lu entries read, %lu inconsistent\n", UNIT_NAME, got, bad);
  if (!got) fail("concurrent", "the readers never found an entry");
  if (bad)
    failf("concurrent: %lu inconsistent entries accepted (of %lu)", bad, got);
}

/* A ClientHello: session ID k x 32, then extensions (may be 0). */
static size_t hello (unsigned char *buf, unsigned char const *ext, size_t extlen)
{
  size_t n = 0, hs, body;
  buf[n++] = 22; buf[n++] = 3; buf[n++] = 1; n += 2;
  hs = n;
  buf[n++] = 1; n += 3;
  body = n;
  buf[n++] = 3; buf[n++] = 3;
  memset(buf + n, 0xee, 32); n += 32;
  buf[n++] = 32; memset(buf + n, 0x42, 32); n += 32;
  buf[n++] = 0; buf[n++] = 2; buf[n++] = 0xc0; buf[n++] = 0x2b;
  buf[n++] = 1; buf[n++] = 0;
  if (ext)
  {
    buf[n++] = (unsigned char)(extlen >> 8); buf[n++] = (unsigned char)extlen;
    memcpy(buf + n, ext, extlen); n += extlen;
  }
  buf[hs + 1] = 0; buf[hs + 2] = (unsigned char)((n - body) >> 8); buf[hs + 3] = (unsigned char)(n - body);
  buf[3] = (unsigned char)((n - hs) >> 8); buf[4] = (unsigned char)(n - hs);
  return n;
}

static void peek (void)
{
  static unsigned char const one[] = { 0, 0, 0, 14, 0, 12, 0, 0, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't' };
  static unsigned char const two[] = {
    0, 0, 0, 8, 0, 6, 0, 0, 3, 'o', 'n', 'e',
    0, 23, 0, 0,
    0, 0, 0, 12, 0, 10, 1, 0, 1, 'x', 0, 0, 3, 't', 'w', 'o' };
  static unsigned char const nul[] = { 0, 0, 0, 8, 0, 6, 0, 0, 3, 'a', 0, 'b' };
  unsigned char buf[512], sid[32];
  char name[256];
  size_t n, sidlen;
  n = hello(buf, one, sizeof one);
  CHECK(utls_clienthello_peek(buf, n, sid, &sidlen, name) && sidlen == 32 && sid[0] == 0x42 && !strcmp(name, "localhost"), "peek sni");
  CHECK(!utls_clienthello_peek(buf, n - 1, sid, &sidlen, name), "peek cut");
  n = hello(buf, 0, 0);
  CHECK(utls_clienthello_peek(buf, n, sid, &sidlen, name) && !name[0], "peek no extensions");
  n = hello(buf, two, sizeof two);
  CHECK(utls_clienthello_peek(buf, n, sid, &sidlen, name) && !strcmp(name, "two"), "peek last name wins, other types skipped");
  n = hello(buf, nul, sizeof nul);
  CHECK(!utls_clienthello_peek(buf, n, sid, &sidlen, name), "peek NUL in name");
  buf[0] = 23;
  CHECK(!utls_clienthello_peek(buf, n, sid, &sidlen, name), "peek not a handshake");
}

static void rmtree (void)
{
  static char const *const names[] = { "a", "tiny", "torn", "good", "link", "adir", "foreign", "empty", "short", "v2", "open", "shared", 0 };
  char const *const *p = names;
  for (; *p; p++) { unlink(path(*p)); rmdir(path(*p)); }
  rmdir(dir);
}

int main (void)
{
  char const *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/sesscache.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 99; }
  umask(077);
  roundtrip();
  eviction();
  torn();
  badfiles();
  peek();
  concurrent();
  rmtree();
  return failures ? 1 : 0;
}
