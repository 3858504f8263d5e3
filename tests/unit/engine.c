/* ISC license. */

/*
 * Unit test: the record engine against a real BearSSL peer, replaying
 * the inputs of the engine fuzz target (tests/fuzz/fuzz_engine.c, built
 * here without libFuzzer): tests/fuzz/regress/engine (bugs found, which
 * must stay fixed) and tests/fuzz/seeds/engine (one of each operation).
 * Each input is a connection; the target's invariants abort on failure,
 * with the reason on stderr. Among them: no application data reaches
 * the application before on_handshake has accepted the peer, even when
 * it arrives in the same read as the peer's Finished (with or without a
 * close_notify behind it).
 */

#include <dirent.h>
#include <stdlib.h>

#include "../fuzz/fuzz_engine.c"

static unsigned int replay (char const *dir)
{
  static unsigned char buf[16384];
  char path[4096];
  unsigned int n = 0;
  struct dirent *d;
  DIR *dp = opendir(dir);
  if (!dp) { fprintf(stderr, "engine: FAIL: opendir %s: %s\n", dir, strerror(errno)); exit(1); }
  while ((d = readdir(dp)))
  {
    ssize_t r;
    int fd;
    if (d->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
    fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "engine: FAIL: open %s: %s\n", path, strerror(errno)); exit(1); }
    r = allread(fd, (char *)buf, sizeof buf);
    close(fd);
    if (r < 2) { fprintf(stderr, "engine: FAIL: %s: too short\n", path); exit(1); }
    fprintf(stderr, "engine: %s\n", path);
    LLVMFuzzerTestOneInput(buf, r);
    n++;
  }
  closedir(dp);
  return n;
}

int main (int argc, char const *const *argv)
{
  unsigned int regress, seeds;
  if (argc < 2) { fprintf(stderr, "engine: usage: engine pkidir\n"); return 100; }
  if (setenv("FUZZ_ENGINE_PKI", argv[1], 1) < 0) return 111;
  unsetenv("FUZZ_ENGINE_ALLOW_EARLY");
  regress = replay("tests/fuzz/regress/engine");
  seeds = replay("tests/fuzz/seeds/engine");
  if (regress < 5 || seeds < 10)
  {
    fprintf(stderr, "engine: FAIL: only %u regression inputs and %u seeds found\n", regress, seeds);
    return 1;
  }
  fprintf(stderr, "engine: %u regression inputs and %u seeds replayed\n", regress, seeds);
  return 0;
}
