/* ISC license. */

/* sockpair: the same program as pair, under the name some tests use. */

#include "pair.c"
