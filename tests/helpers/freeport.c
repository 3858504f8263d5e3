/* ISC license. */

/*
 * freeport: print a TCP port on 127.0.0.1 that the kernel just gave us,
 * then close it. Only for starting programs that cannot report the port
 * they bound (the real tcpserver): the caller must still be ready to retry
 * if something else took the port in between (tests/lib.sh does).
 * Prefer tcplisten, which keeps its socket and has no such race.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

int main (void)
{
  struct sockaddr_in sa ;
  socklen_t len = sizeof sa ;
  int s = socket(AF_INET, SOCK_STREAM, 0) ;
  if (s < 0) { fprintf(stderr, "freeport: fatal: unable to create socket: %s\n", strerror(errno)) ; return 111 ; }
  memset(&sa, 0, sizeof sa) ;
  sa.sin_family = AF_INET ;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK) ;
  sa.sin_port = 0 ;
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0
   || getsockname(s, (struct sockaddr *)&sa, &len) < 0)
  {
    fprintf(stderr, "freeport: fatal: unable to bind 127.0.0.1:0: %s\n", strerror(errno)) ;
    return 111 ;
  }
  close(s) ;
  if (printf("%u\n", (unsigned int)ntohs(sa.sin_port)) < 0 || fflush(stdout) == EOF) return 111 ;
  return 0 ;
}
