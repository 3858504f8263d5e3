/* ISC license. */

#ifndef UTLS_MC_INTERNAL_H
#define UTLS_MC_INTERNAL_H

#include <stddef.h>

#include <skalibs/tai.h>

#include <utls/remote.h>

/* The longest first line of an answer to "get NAME" (CRLF included). */
#define UTLSP_MC_LINE_MAX 256
/* Room for a whole answer: the first line, the value, "\r\nEND\r\n". */
#define UTLSP_MC_ANSWER_MAX (UTLSP_MC_LINE_MAX + UTLS_MC_VALUE_MAX + 8)

/*
 * utls_mc_get without the copy: the answer is read into buf
 * (UTLSP_MC_ANSWER_MAX bytes), and the value stays there, at
 * buf + *start (*len bytes). Same returns as utls_mc_get.
 */
extern int utlsp_mc_get (utls_mc *mc, char const *name, unsigned char *buf, size_t max, size_t *start, size_t *len, tain const *deadline);

/* Connects s if it is not connected. Returns 0, or -1 (mc->why). */
extern int utlsp_mc_connect (utls_mc *mc, utls_mc_server *s, tain const *deadline);

/* Writes all of buf to s. Returns 0, or -1 (mc->why; s is dropped). */
extern int utlsp_mc_write (utls_mc *mc, utls_mc_server *s, char const *buf, size_t len, tain const *deadline);

/* Drops s's connection after a failure; returns -1. */
extern int utlsp_mc_drop (utls_mc *mc, utls_mc_server *s, char const *why);

#endif
