/* ISC license. */

/*
 * The plaintext STARTTLS dialogues of starttls -p (SMTP, LMTP, POP3,
 * IMAP) and its control-descriptor handover, fed with hostile server
 * bytes.
 *
 * Design: the dialogue functions are static in src/tls/starttls.c, so
 * this file includes starttls.c itself, with its main renamed. They die
 * (strerr_dief -> strerr_diev -> _exit) on every bad reply, by design:
 * fuzz-common.h replaces strerr_diev/strerr_dievsys with a longjmp back
 * here, so a dying input is one cheap iteration, not a fork per input.
 * The code under test allocates nothing, and the dialogue state is a
 * static struct reset per input, so jumping out leaves nothing behind.
 *
 * Input: byte 0 picks smtp, lmtp, pop3, imap or the handover; the rest
 * is what the server sends. It is written into a socketpair whose
 * write side is then shut down, so the dialogue reads it all and then
 * EOF, and never waits: the deadline (5 s) is only a safety net. What
 * the dialogue writes back goes to the same socket and is dropped.
 */

#include <sys/socket.h>
#include <stdint.h>
#include <unistd.h>

#define FUZZ_CATCH_DIE
#include "fuzz-common.h"

#define main starttls_main
#include "../../src/tls/starttls.c"
#undef main

static dialogue fd_dlg;
static utls_envblock fd_block;

static void run_dialogue (int proto)
{
  switch (proto)
  {
    case 0: do_smtp(&fd_dlg, "client.example", 0); break;
    case 1: do_smtp(&fd_dlg, "client.example", 1); break;
    case 2: do_pop3(&fd_dlg); break;
    case 3: do_imap(&fd_dlg); break;
  }
  /* as main does: bytes after the go-ahead are an injection */
  if (fd_dlg.len) strerr_dief(UTLS_EXIT_PROTOCOL, "server sent data after its STARTTLS reply (response injection): refusing");
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static int init = 0;
  int sv[2];
  int proto, died;
  if (!size || size > 32768) return 0;
  if (!init)
  {
    tain_now_set_stopwatch_g();
    init = 1;
  }
  proto = data[0] % 5;
  FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  FUZZ_ASSERT(allwrite(sv[0], (char const *)data + 1, size - 1) == size - 1);
  FUZZ_ASSERT(shutdown(sv[0], SHUT_WR) == 0);
  if (proto < 4)
  {
    memset(&fd_dlg, 0, sizeof fd_dlg);
    fd_dlg.rfd = sv[1];
    fd_dlg.wfd = sv[1];
    tain_now_g();
    tain_from_millisecs(&fd_dlg.deadline, 5000);
    tain_add_g(&fd_dlg.deadline, &fd_dlg.deadline);
    FUZZ_TRY(died, run_dialogue(proto));
    if (died) FUZZ_ASSERT(fuzz_exitcode == UTLS_EXIT_PROTOCOL);
    FUZZ_ASSERT(fd_dlg.len <= sizeof fd_dlg.buf);
    close(sv[1]);
  }
  else
  {
    /* tlsp_ask_tls closes the control descriptor itself when it succeeds */
    fd_block.len = 0;
    FUZZ_TRY(died, tlsp_ask_tls(sv[1], &fd_block));
    if (died)
    {
      FUZZ_ASSERT(fuzz_exitcode == UTLS_EXIT_PROTOCOL);
      close(sv[1]);
    }
    else FUZZ_ASSERT(tlsp_block_valid(&fd_block));
  }
  close(sv[0]);
  return 0;
}
