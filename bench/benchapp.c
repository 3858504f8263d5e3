/* ISC license. */

/*
 * benchapp MODE [N]: the application behind every tunnel of bench/run.sh.
 * Reads fd 0, writes fd 1 (a pipe from tlsd or the relay, or the socket
 * itself under tcpserver, stunnel exec or socat EXEC).
 *   sink N    read N bytes, then write one byte ("K") and exit
 *   source N  write N bytes, then exit
 *   echo      copy 0 to 1 until EOF
 *   ping      read one byte, write one byte, exit
 *   greet     write one byte at once, then read until EOF
 * Built static: the exec costs the same behind every tunnel, and less.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[65536];

static int writeall (char const *s, size_t n)
{
  while (n)
  {
    ssize_t r = write(1, s, n);
    if (r < 0) { if (errno == EINTR) continue; return -1; }
    s += r; n -= r;
  }
  return 0;
}

int main (int argc, char **argv)
{
  unsigned long long n = argc > 2 ? strtoull(argv[2], 0, 10) : 0;
  if (argc < 2) return 100;
  if (!strcmp(argv[1], "sink"))
  {
    while (n)
    {
      ssize_t r = read(0, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return 1;
      n = (unsigned long long)r >= n ? 0 : n - r;
    }
    return writeall("K", 1) ? 111 : 0;
  }
  if (!strcmp(argv[1], "source"))
  {
    memset(buf, 'x', sizeof buf);
    while (n)
    {
      size_t k = n > sizeof buf ? sizeof buf : n;
      if (writeall(buf, k)) return 111;
      n -= k;
    }
    return 0;
  }
  if (!strcmp(argv[1], "echo"))
  {
    for (;;)
    {
      ssize_t r = read(0, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return 0;
      if (writeall(buf, r)) return 111;
    }
  }
  if (!strcmp(argv[1], "ping"))
  {
    ssize_t r;
    do r = read(0, buf, 1); while (r < 0 && errno == EINTR);
    if (r != 1) return 1;
    return writeall(buf, 1) ? 111 : 0;
  }
  if (!strcmp(argv[1], "greet"))
  {
    if (writeall("G", 1)) return 111;
    for (;;)
    {
      ssize_t r = read(0, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return 0;
    }
  }
  return 100;
}
