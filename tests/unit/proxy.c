/* ISC license. */

/*
 * Unit test: the PROXY header parser of proxy-accept, through the fuzz
 * target (tests/fuzz/fuzz_proxy.c, built here without libFuzzer) over
 * its seeds, then each seed's verdict: the seeds are made by
 * tests/helpers/proxy-hdr.py, and their names say good or bad (the
 * list below). Plus the CRC32C check value of the Castagnoli CRC.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>

#include "../fuzz/fuzz_proxy.c"

#define SEEDS "tests/fuzz/seeds/proxy"

static char const *const good[] =
{
  "v1-tcp4", "v1-tcp6", "v1-unknown", "v1-unknown-rest", "v1-max", "v1-port0",
  "v2-tcp4", "v2-tcp6", "v2-local", "v2-local-inet", "v2-unspec", "v2-unix",
  "v2-tlvs", "v2-crc", "v2-ctlvalue", "v2-bigtlv", 0
};

static int is_good (char const *name)
{
  unsigned int i = 0;
  for (; good[i]; i++) if (!strcmp(good[i], name)) return 1;
  return 0;
}

/* What proxy-accept decides on a whole input: 1 accepted, 0 refused. */
static int verdict (unsigned char const *s, size_t len)
{
  tlsp_proxy p = TLSP_PROXY_ZERO;
  char const *why;
  if (len >= 6 && !memcmp(s, "PROXY ", 6))
  {
    unsigned char const *lf = memchr(s, '\n', len < TLSP_PROXY_V1_MAX ? len : TLSP_PROXY_V1_MAX);
    return lf && (size_t)(lf - s + 1) == len && tlsp_proxy_v1_parse((char const *)s, len, &p, &why);
  }
  if (len < TLSP_PROXY_V2_FIXED) return 0;
  return tlsp_proxy_v2_length(s, &why) == len && tlsp_proxy_v2_parse(s, len, &p, &why);
}

int main (void)
{
  static unsigned char buf[70000];
  char path[4096];
  unsigned int n = 0, bad = 0;
  struct dirent *d;
  DIR *dp = opendir(SEEDS);
  if (tlsp_crc32c(0, (unsigned char const *)"123456789", 9) != 0xe3069283u)
  {
    fprintf(stderr, "proxy: FAIL: CRC32C check value\n");
    return 1;
  }
  if (!dp) { fprintf(stderr, "proxy: FAIL: opendir %s: %s\n", SEEDS, strerror(errno)); return 1; }
  while ((d = readdir(dp)))
  {
    ssize_t r;
    int fd, want;
    if (d->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", SEEDS, d->d_name);
    fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "proxy: FAIL: open %s: %s\n", path, strerror(errno)); return 1; }
    r = allread(fd, (char *)buf, sizeof buf);
    close(fd);
    LLVMFuzzerTestOneInput(buf, r);
    want = is_good(d->d_name);
    if (verdict(buf, r) != want)
    {
      fprintf(stderr, "proxy: FAIL: %s: %s, expected %s\n", d->d_name, want ? "refused" : "accepted", want ? "accepted" : "refused");
      bad++;
    }
    n++;
  }
  closedir(dp);
  if (bad) return 1;
  if (n < 40) { fprintf(stderr, "proxy: FAIL: only %u seeds found\n", n); return 1; }
  fprintf(stderr, "proxy: %u seeds replayed\n", n);
  return 0;
}
