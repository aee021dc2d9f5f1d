/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one header through which kmod/core sees its environment.  The core
 * is plain C: in shype.ko it uses the kernel's types, in libshype, the
 * unit tests and the fuzzers it uses libc's.  Nothing else may be included
 * by the .c files of core/.
 */
#ifndef SHYPE_CORE_COMPAT_H
#define SHYPE_CORE_COMPAT_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <asm/byteorder.h>
#include <crypto/sha2.h>
#else
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <endian.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)
#define cpu_to_le16(x) htole16(x)
#define cpu_to_le32(x) htole32(x)
#define cpu_to_le64(x) htole64(x)
#define U32_MAX	       ((u32)~0U)
#endif

#include "../../include/uapi/linux/shype.h"

#endif /* SHYPE_CORE_COMPAT_H */
