/* ISC license. */

/*
 * Unit test: the memcached client and the sealing of remote session
 * entries (src/include/utls/remote.h), against real memcached servers
 * (Debian's memcached, started here on a Unix socket and on 127.0.0.1)
 * and against fake ones written here: a port nobody listens on, a
 * server that accepts and never answers, servers that answer garbage.
 * Every operation has a 100 ms deadline; the failures must come within
 * it (a generous 1 s bound is checked: machines are noisy), the hits
 * must return exactly what was stored.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <skalibs/tai.h>

#include <utls/utls.h>
#include <utls/remote.h>

#define UNIT_NAME "remote"
#include "unit.h"

static char dir[] = "/tmp/utls-remote.XXXXXX";
static pid_t children[64];
static unsigned int nchildren = 0;

static void cleanup (void)
{
  unsigned int i = 0;
  char cmd[64];
  for (; i < nchildren; i++) { kill(children[i], SIGKILL); waitpid(children[i], 0, 0); }
  nchildren = 0;
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) fprintf(stderr, "%s: cannot remove %s\n", UNIT_NAME, dir);
}

static void die (char const *what)
{
  fprintf(stderr, "%s: FAIL: %s: %s\n", UNIT_NAME, what, strerror(errno));
  cleanup();
  exit(1);
}

static pid_t spawn (char const *const *argv)
{
  pid_t pid;
  if (nchildren >= sizeof children / sizeof *children) { errno = EMFILE; die("too many children"); }
  pid = fork();
  if (pid < 0) die("fork");
  if (!pid)
  {
    /* Never outlive the test, even one killed by the harness's timeout. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
  }
  children[nchildren++] = pid;
  return pid;
}

/* A free TCP port on 127.0.0.1, and optionally the bound socket. */
static unsigned int free_port (int *keep)
{
  struct sockaddr_in sa = { .sin_family = AF_INET };
  socklen_t len = sizeof sa;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0) die("bind");
  if (keep) *keep = fd;
  else close(fd);
  return ntohs(sa.sin_port);
}

static int can_connect_unix (char const *path)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd = socket(AF_UNIX, SOCK_STREAM, 0), r;
  strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
  r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
  close(fd);
  return r == 0;
}

static int can_connect_tcp (unsigned int port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
  int fd = socket(AF_INET, SOCK_STREAM, 0), r;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
  close(fd);
  return r == 0;
}

/* memcached on a Unix socket (path) or on 127.0.0.1:port. */
static pid_t memcached (char const *path, unsigned int port)
{
  char portarg[16];
  char const *argv[16];
  unsigned int n = 0, i = 0;
  pid_t pid;
  argv[n++] = "memcached";
  argv[n++] = "-m"; argv[n++] = "8";
  argv[n++] = "-t"; argv[n++] = "1";
  argv[n++] = "-U"; argv[n++] = "0";
  if (!geteuid()) { argv[n++] = "-u"; argv[n++] = "root"; }
  if (path) { argv[n++] = "-s"; argv[n++] = path; }
  else
  {
    snprintf(portarg, sizeof portarg, "%u", port);
    argv[n++] = "-l"; argv[n++] = "127.0.0.1";
    argv[n++] = "-p"; argv[n++] = portarg;
  }
  argv[n] = 0;
  pid = spawn(argv);
  for (; i < 500; i++)
  {
    if (path ? can_connect_unix(path) : can_connect_tcp(port)) return pid;
    usleep(10000);
  }
  errno = ETIMEDOUT;
  die("memcached did not start within 5 s (is it installed?)");
  return -1;
}

/* A fake server on a bound TCP socket: accepts connections, reads the
   command, writes reply (or nothing, and holds the connection). */
static void fake (int fd, char const *reply, size_t len)
{
  pid_t pid;
  if (listen(fd, 8) < 0) die("listen");
  if (nchildren >= sizeof children / sizeof *children) { errno = EMFILE; die("too many children"); }
  pid = fork();
  if (pid < 0) die("fork");
  if (!pid)
  {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    alarm(60);
    for (;;)
    {
      char buf[512];
      int c = accept(fd, 0, 0);
      if (c < 0) _exit(1);
      if (read(c, buf, sizeof buf) <= 0) { close(c); continue; }
      if (reply && write(c, reply, len) < 0) _exit(1);
      if (!reply) pause();
      close(c);
    }
  }
  children[nchildren++] = pid;
  close(fd);
}

static void deadline_ms (tain *d, unsigned int ms)
{
  tain_now_set_stopwatch_g();
  tain_from_millisecs(d, ms);
  tain_add_g(d, d);
}

static unsigned int elapsed_ms (tain const *start)
{
  tain now, diff;
  tain_now(&now);
  tain_sub(&diff, &now, start);
  return tain_to_millisecs(&diff);
}

/* get with a 100 ms deadline; the time it took in *ms. */
static int get (utls_mc *mc, char const *name, unsigned char *buf, size_t *len, unsigned int *ms)
{
  tain d, start;
  int r;
  deadline_ms(&d, 100);
  tain_now(&start);
  r = utls_mc_get(mc, name, buf, UTLS_MC_VALUE_MAX, len, &d);
  if (ms) *ms = elapsed_ms(&start);
  return r;
}

static int set (utls_mc *mc, char const *name, char const *value)
{
  tain d;
  deadline_ms(&d, 100);
  return utls_mc_set(mc, name, (unsigned char const *)value, strlen(value), 60, &d);
}

static void test_parse (void)
{
  static char const *const good[] = { "127.0.0.1:11211", "127.0.0.1:1,127.0.0.2:2", "[::1]:11211", "[::1]:1,10.0.0.1:65535", "/run/memcached.sock", 0 };
  static char const *const bad[] = { "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:11211,", ",127.0.0.1:1",
    "localhost:11211", "::1:11211", "[::1]11211", "[::1:11211", "127.0.0.1:11211x", "127.0.0.256:1", " 127.0.0.1:1", 0 };
  utls_mc mc;
  unsigned int i;
  for (i = 0; good[i]; i++) if (utls_mc_parse(&mc, good[i])) fail("parse refused a valid list", good[i]);
  for (i = 0; bad[i]; i++) if (utls_mc_parse(&mc, bad[i]) != UTLS_ERR_MCSPEC) fail("parse accepted an invalid list", bad[i]);
  CHECK(!utls_mc_parse(&mc, "127.0.0.1:1,[::1]:2") && mc.n == 2 && mc.srv[0].kind == 4 && mc.srv[1].kind == 6 && mc.srv[1].port == 2, "parse: two servers");
}

static void test_store (char const *spec, char const *what)
{
  unsigned char buf[UTLS_MC_VALUE_MAX];
  char big[UTLS_MC_VALUE_MAX + 2];
  size_t len = 0;
  utls_mc mc;
  if (utls_mc_parse(&mc, spec)) { fail(what, "parse"); return; }
  if (get(&mc, "utls:missing", buf, &len, 0) != 0) fail(what, "a missing name is not a miss");
  if (set(&mc, "utls:one", "first value") < 0) fail(what, mc.why);
  if (get(&mc, "utls:one", buf, &len, 0) != 1 || len != 11 || memcmp(buf, "first value", 11)) fail(what, "the stored value did not come back");
  /* the same connection, again, with binary bytes (CR LF NUL inside) */
  if (set(&mc, "utls:two", "a\r\nEND\r\n\0b") < 0) fail(what, mc.why);
  if (get(&mc, "utls:one", buf, &len, 0) != 1 || len != 11) fail(what, "second get on the kept connection");
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  CHECK(set(&mc, "utls:big", big) < 0, "a value over UTLS_MC_VALUE_MAX is refused");
  utls_mc_close(&mc);
}

static void test_spread (char const *a, char const *b)
{
  char spec[256], rev[256], name[32];
  unsigned char buf[64];
  size_t len;
  unsigned int i, ona = 0, onb = 0, moved = 0;
  utls_mc both, both_rev, ma, mb;
  snprintf(spec, sizeof spec, "%s,%s", a, b);
  snprintf(rev, sizeof rev, "%s,%s", b, a);
  if (utls_mc_parse(&both, spec) || utls_mc_parse(&both_rev, rev) || utls_mc_parse(&ma, a) || utls_mc_parse(&mb, b)) { fail("spread", "parse"); return; }
  for (i = 0; i < 200; i++)
  {
    snprintf(name, sizeof name, "utls:spread%u", i);
    if (set(&both, name, "v") < 0) { fail("spread: set", both.why); return; }
    if (strcmp(utls_mc_pick(&both, name)->id, utls_mc_pick(&both_rev, name)->id)) moved++;
  }
  for (i = 0; i < 200; i++)
  {
    int ha, hb;
    snprintf(name, sizeof name, "utls:spread%u", i);
    ha = get(&ma, name, buf, &len, 0);
    hb = get(&mb, name, buf, &len, 0);
    if (ha + hb != 1) fail("spread: a name is not on exactly one server", name);
    ona += ha == 1;
    onb += hb == 1;
    /* and a reader with both finds it */
    if (get(&both, name, buf, &len, 0) != 1) fail("spread: not found through the pair", name);
  }
  CHECK(!moved, "spread: the order of the list does not matter");
  if (ona < 60 || onb < 60)
  {
    char d[64];
    snprintf(d, sizeof d, "%u and %u of 200", ona, onb);
    fail("spread: uneven share", d);
  }
  utls_mc_close(&both); utls_mc_close(&both_rev); utls_mc_close(&ma); utls_mc_close(&mb);
}

static void test_failures (void)
{
  char spec[64];
  unsigned char buf[UTLS_MC_VALUE_MAX];
  size_t len;
  unsigned int ms;
  int fd;
  utls_mc mc;
  static struct { char const *reply; char const *what; } const garbage[] =
  {
    { "HELLO\r\n", "an unknown line" },
    { "SERVER_ERROR out of memory\r\n", "a server error" },
    { "VALUE utls:h 0 3\r\nabc\r\nEND\r\n", "another name's value (same length)" },
    { "VALUE utls:other 0 3\r\nabc\r\nEND\r\n", "another name's value" },
    { "VALUE utls:g 0 99999\r\n", "a value larger than allowed" },
    { "VALUE utls:g 0 3\r\nabcdEND\r\n", "a value without its CRLF" },
    { "VALUE utls:g 0 3\r\nabc\r\nEND\r\nEND\r\n", "more than one answer" },
    { "VALUE utls:g x 3\r\nabc\r\nEND\r\n", "bad flags" },
    { "END\r\nEND\r\n", "an END too many" },
    { 0, 0 }
  };
  unsigned int i;

  /* nobody listens */
  snprintf(spec, sizeof spec, "127.0.0.1:%u", free_port(0));
  utls_mc_parse(&mc, spec);
  CHECK(get(&mc, "utls:g", buf, &len, &ms) == -1 && mc.why, "closed port: get fails");
  CHECK(ms < 1000, "closed port: fails at once");
  CHECK(set(&mc, "utls:g", "v") == -1, "closed port: set fails");

  /* accepts, reads, never answers */
  snprintf(spec, sizeof spec, "127.0.0.1:%u", free_port(&fd));
  fake(fd, 0, 0);
  utls_mc_parse(&mc, spec);
  CHECK(get(&mc, "utls:g", buf, &len, &ms) == -1, "silent server: get fails");
  CHECK(ms >= 90 && ms < 1000, "silent server: within the deadline");
  CHECK(mc.why && !strcmp(mc.why, "read timed out"), "silent server: says it timed out");

  /* a valid answer, as a control for the garbage below */
  snprintf(spec, sizeof spec, "127.0.0.1:%u", free_port(&fd));
  fake(fd, "VALUE utls:g 0 3 17\r\nabc\r\nEND\r\n", 31);
  utls_mc_parse(&mc, spec);
  CHECK(get(&mc, "utls:g", buf, &len, 0) == 1 && len == 3 && !memcmp(buf, "abc", 3), "fake server, valid answer with CAS: a hit");
  utls_mc_close(&mc);

  for (i = 0; garbage[i].reply; i++)
  {
    snprintf(spec, sizeof spec, "127.0.0.1:%u", free_port(&fd));
    fake(fd, garbage[i].reply, strlen(garbage[i].reply));
    utls_mc_parse(&mc, spec);
    if (get(&mc, "utls:g", buf, &len, &ms) != -1) fail("garbage taken for an answer", garbage[i].what);
    else if (ms >= 1000) fail("garbage: too slow", garbage[i].what);
    utls_mc_close(&mc);
  }
}

static void test_restart (char const *path)
{
  unsigned char buf[64];
  size_t len;
  unsigned int ms;
  utls_mc mc;
  pid_t pid = memcached(path, 0);
  utls_mc_parse(&mc, path);
  CHECK(set(&mc, "utls:r", "v") == 0, "restart: stored");
  CHECK(get(&mc, "utls:r", buf, &len, 0) == 1, "restart: found");
  kill(pid, SIGKILL);
  waitpid(pid, 0, 0);
  CHECK(get(&mc, "utls:r", buf, &len, &ms) == -1 && ms < 1000, "memcached gone: the kept connection fails");
  CHECK(get(&mc, "utls:r", buf, &len, &ms) == -1 && ms < 1000, "memcached gone: a new connection fails");
  unlink(path);
  memcached(path, 0);
  CHECK(get(&mc, "utls:r", buf, &len, 0) == 0, "memcached back: a miss, not a failure");
  utls_mc_close(&mc);
}

static void write_file (char const *path, unsigned char const *s, size_t len)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write(fd, s, len) != (ssize_t)len || close(fd) < 0) die("write a key file");
}

static void test_seal (void)
{
  unsigned char raw1[32], raw2[32], in[200], sealed[200 + UTLS_SEAL_OVERHEAD], out[200 + UTLS_SEAL_OVERHEAD];
  char name[UTLS_MC_NAME_LEN + 1], name2[UTLS_MC_NAME_LEN + 1], path[128];
  utls_sealkey k[2], k1, k2, both[2];
  size_t n, i;
  unsigned int bad = 0;
  for (i = 0; i < 32; i++) { raw1[i] = i; raw2[i] = 0x80 + i; }
  for (i = 0; i < sizeof in; i++) in[i] = i * 7;
  utls_sealkey_derive(&k1, raw1);
  utls_sealkey_derive(&k2, raw2);

  utls_seal_name(name, &k1, (unsigned char const *)"S\1\2\3", 4);
  utls_seal_name(name2, &k2, (unsigned char const *)"S\1\2\3", 4);
  CHECK(strlen(name) == UTLS_MC_NAME_LEN && !strncmp(name, "utls:", 5) && strspn(name + 5, "0123456789abcdef") == 40, "name: utls: and 40 hex digits");
  CHECK(strcmp(name, name2), "name: keyed (another key, another name)");
  utls_seal_name(name2, &k1, (unsigned char const *)"S\1\2\4", 4);
  CHECK(strcmp(name, name2), "name: another session, another name");

  n = utls_seal(sealed, &k1, name, in, sizeof in);
  CHECK(n == sizeof in + UTLS_SEAL_OVERHEAD, "seal: length");
  CHECK(!memmem(sealed, n, in + 20, 16), "seal: the plaintext does not show");
  k[0] = k1;
  CHECK(utls_unseal(out, k, 1, name, sealed, n) == (ssize_t)sizeof in && !memcmp(out, in, sizeof in), "unseal: round trip");
  for (i = 0; i < n; i++)
  {
    sealed[i] ^= 0x01;
    if (utls_unseal(out, k, 1, name, sealed, n) != -1) bad++;
    sealed[i] ^= 0x01;
  }
  CHECK(!bad, "unseal: every flipped bit is refused");
  CHECK(utls_unseal(out, k, 1, name, sealed, n - 1) == -1, "unseal: truncated");
  CHECK(utls_unseal(out, k, 1, name, sealed, UTLS_SEAL_OVERHEAD - 1) == -1, "unseal: too short");
  CHECK(utls_unseal(out, k, 1, name2, sealed, n) == -1, "unseal: under another name");
  k[0] = k2;
  CHECK(utls_unseal(out, k, 1, name, sealed, n) == -1, "unseal: another key");
  /* rotation: the new key first, the old one for reading */
  both[0] = k2; both[1] = k1;
  CHECK(utls_unseal(out, both, 2, name, sealed, n) == (ssize_t)sizeof in && !memcmp(out, in, sizeof in), "unseal: the old key still reads");
  both[1].set = 0;
  CHECK(utls_unseal(out, both, 2, name, sealed, n) == -1, "unseal: an unset old key does not");
  /* a forged key id with the right key's tag computed under another: the id only picks the key */
  memcpy(sealed + 4, k2.id, 4);
  CHECK(utls_unseal(out, both, 2, name, sealed, n) == -1, "unseal: a changed key id");
  CHECK(utls_seal(sealed, &k1, name, in, 16) == 16 + UTLS_SEAL_OVERHEAD && utls_seal(out, &k1, name, in, 16) && memcmp(sealed, out, 16 + UTLS_SEAL_OVERHEAD), "seal: two seals differ (random nonce)");
  CHECK(utls_seal(sealed, &k1, name, in, 0) == UTLS_SEAL_OVERHEAD && utls_unseal(out, &k1, 1, name, sealed, UTLS_SEAL_OVERHEAD) == 0, "seal: empty plaintext");

  /* key files */
  snprintf(path, sizeof path, "%s/key", dir);
  write_file(path, raw1, 32);
  CHECK(!utls_sealkey_readfile(&k[0], path) && !memcmp(k[0].enc, k1.enc, 32) && !memcmp(k[0].id, k1.id, 4), "key file: 32 bytes");
  write_file(path, raw1, 31);
  CHECK(utls_sealkey_readfile(&k[0], path) == UTLS_ERR_SEALKEY, "key file: 31 bytes refused");
  write_file(path, raw1, 0);
  CHECK(utls_sealkey_readfile(&k[0], path) == UTLS_ERR_SEALKEY, "key file: empty refused");
  {
    unsigned char raw33[33] = { 0 };
    write_file(path, raw33, 33);
    CHECK(utls_sealkey_readfile(&k[0], path) == UTLS_ERR_SEALKEY, "key file: 33 bytes refused");
  }
  snprintf(path, sizeof path, "%s/nokey", dir);
  CHECK(utls_sealkey_readfile(&k[0], path) == -1 && errno == ENOENT, "key file: missing");
  utls_sealkey_wipe(&k1);
  CHECK(!k1.set && !k1.enc[0] && !k1.enc[31], "wipe");
}

int main (void)
{
  char sock1[128], sock2[128], spec1[64], spec2[64];
  unsigned int p1, p2;
  signal(SIGPIPE, SIG_IGN);
  if (!mkdtemp(dir)) die("mkdtemp");
  test_parse();
  test_seal();
  test_failures();
  snprintf(sock1, sizeof sock1, "%s/mc1.sock", dir);
  snprintf(sock2, sizeof sock2, "%s/mc2.sock", dir);
  memcached(sock1, 0);
  memcached(sock2, 0);
  p1 = free_port(0);
  memcached(0, p1);
  p2 = free_port(0);
  memcached(0, p2);
  snprintf(spec1, sizeof spec1, "127.0.0.1:%u", p1);
  snprintf(spec2, sizeof spec2, "127.0.0.1:%u", p2);
  test_store(sock1, "unix socket");
  test_store(spec1, "127.0.0.1");
  test_spread(sock1, sock2);
  test_spread(spec1, spec2);
  snprintf(sock1, sizeof sock1, "%s/mc3.sock", dir);
  test_restart(sock1);
  cleanup();
  return failures ? 1 : 0;
}
