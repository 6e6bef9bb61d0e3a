/* Fixed-width types and page constants shared by every model.
 * The simulated machine is x86-64 with 4 KiB pages. */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
typedef int64_t i64;
typedef int32_t i32;
typedef int8_t i8;

#define MM_PAGE_SHIFT 12
#define MM_PAGE_SIZE (1ULL << MM_PAGE_SHIFT)
#define MM_PAGE_MASK (~(MM_PAGE_SIZE - 1))
#define MM_PAGE_ALIGN(x) (((x) + MM_PAGE_SIZE - 1) & MM_PAGE_MASK)

#define MM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MM_MAX(a, b) ((a) > (b) ? (a) : (b))
#define MM_LIKELY(x) __builtin_expect(!!(x), 1)
#define MM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* fls(): index of the highest set bit, 1-based; fls(0) == 0, as in the kernel. */
static inline unsigned mm_fls(u64 x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

#endif
