/* ISC license. */

/*
 * tcpprobe port [host]: exit 0 if a TCP connection to host (default
 * 127.0.0.1, IPv4 dotted quad) on port succeeds, 1 if not. The
 * connection is closed at once. Used by tests/lib.sh to wait until a
 * server listens.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main (int argc, char **argv)
{
  struct sockaddr_in sa ;
  unsigned long port ;
  char *end ;
  int s ;
  if (argc < 2) { fprintf(stderr, "tcpprobe: usage: tcpprobe port [host]\n") ; return 100 ; }
  port = strtoul(argv[1], &end, 10) ;
  if (*end || !port || port > 65535) { fprintf(stderr, "tcpprobe: fatal: invalid port %s\n", argv[1]) ; return 100 ; }
  memset(&sa, 0, sizeof sa) ;
  sa.sin_family = AF_INET ;
  sa.sin_port = htons((unsigned short)port) ;
  if (inet_pton(AF_INET, argc > 2 ? argv[2] : "127.0.0.1", &sa.sin_addr) != 1)
  {
    fprintf(stderr, "tcpprobe: fatal: invalid IPv4 address\n") ;
    return 100 ;
  }
  s = socket(AF_INET, SOCK_STREAM, 0) ;
  if (s < 0) return 111 ;
  if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) return 1 ;
  close(s) ;
  return 0 ;
}
