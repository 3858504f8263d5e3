/* ISC license. */

#ifndef UTLS_MC_INTERNAL_H
#define UTLS_MC_INTERNAL_H

#include <stddef.h>

#include <skalibs/tai.h>

#include <utls/remote.h>

/* Connects s if it is not connected. Returns 0, or -1 (mc->why). */
extern int utlsp_mc_connect (utls_mc *mc, utls_mc_server *s, tain const *deadline);

/* Writes all of buf to s. Returns 0, or -1 (mc->why; s is dropped). */
extern int utlsp_mc_write (utls_mc *mc, utls_mc_server *s, char const *buf, size_t len, tain const *deadline);

/* Drops s's connection after a failure; returns -1. */
extern int utlsp_mc_drop (utls_mc *mc, utls_mc_server *s, char const *why);

#endif
