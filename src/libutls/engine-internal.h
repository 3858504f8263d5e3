/* ISC license. */

#ifndef UTLS_ENGINE_INTERNAL_H
#define UTLS_ENGINE_INTERNAL_H

/*
 * Build details of utls_engine_run: the sizes of its static buffers and
 * of its idle wait. Not part of the interface: they change with tuning
 * (bench/NOTES.md), not with the API.
 */

/* Network input buffer and output staging area (both hold several records). */
#define UTLS_NETBUF_SIZE 65536
#define UTLS_STAGE_SIZE (65536 + 4 * 512)
/* Plaintext batches, each way: three records, behind the engine's own one. */
#define UTLS_PLAIN_SIZE 49152
/* After this long without I/O, an established connection returns the
   pages of its empty buffers to the system (milliseconds). */
#define UTLS_IDLE_RELEASE 1000

#endif
