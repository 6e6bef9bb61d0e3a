/* The native trace format: a 16-byte header, then little-endian struct mm_event records of
 * 64 bytes each, in trace order. Reading it needs no parsing. `mmreplay convert` writes it;
 * generators (`mmreplay gen`) write it too.
 *
 *   offset 0  8 bytes  magic "MMRTRACE"
 *   offset 8  u32      version (TRACE_NATIVE_VERSION)
 *   offset 12 u32      record size in bytes (64)
 *   offset 16 ...      records; a file whose record area is not a whole number of records
 *                      is truncated, and is an error. */
#ifndef TRACE_NATIVE_H
#define TRACE_NATIVE_H

#include <stdio.h>

#include "core/mm_event.h"

#define TRACE_NATIVE_MAGIC "MMRTRACE"
#define TRACE_NATIVE_VERSION 1u
#define TRACE_NATIVE_HDR_SIZE 16u
/* A mapped native file is released behind the reader every this many bytes. */
#define TRACE_NATIVE_WINDOW ((size_t)32 << 20)

struct trace_native_hdr {
	char magic[8];
	u32 version;
	u32 record_size;
};

_Static_assert(sizeof(struct trace_native_hdr) == TRACE_NATIVE_HDR_SIZE, "native header size");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "native format I/O assumes a little-endian host");

/* Write the header; 0 or -EIO. */
static inline int trace_native_write_hdr(FILE *f)
{
	struct trace_native_hdr h = {{TRACE_NATIVE_MAGIC[0], TRACE_NATIVE_MAGIC[1], TRACE_NATIVE_MAGIC[2],
				      TRACE_NATIVE_MAGIC[3], TRACE_NATIVE_MAGIC[4], TRACE_NATIVE_MAGIC[5],
				      TRACE_NATIVE_MAGIC[6], TRACE_NATIVE_MAGIC[7]},
				     TRACE_NATIVE_VERSION,
				     sizeof(struct mm_event)};
	return fwrite(&h, sizeof(h), 1, f) == 1 ? 0 : -5;
}

#endif
