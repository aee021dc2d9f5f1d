/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4) for kmod/core.  User space (libshype, the unit
 * tests, the fuzzers) has sha256.c: small and portable.  shype.ko has the
 * kernel's own (lib/crypto), the same function in fewer instructions: it
 * checks the digest of every policy loaded, most of the time a large
 * policy's load takes.  The unit tests check sha256.c against FIPS 180-4's
 * vectors; the test host checks the kernel's digests against libshype's.
 */
#ifndef SHYPE_CORE_SHA256_H
#define SHYPE_CORE_SHA256_H

#include "compat.h"

#ifdef __KERNEL__

struct shype_sha256 {
	struct sha256_state s;
};

static inline void shype_sha256_init(struct shype_sha256 *c)
{
	sha256_init(&c->s);
}

static inline void shype_sha256_update(struct shype_sha256 *c, const void *data,
				       size_t len)
{
	const u8 *p = data;
	unsigned int n;

	/* lib/crypto counts in unsigned int; a blob is 16 MiB at most. */
	for (; len; len -= n, p += n) {
		n = min_t(size_t, len, 1U << 30);
		sha256_update(&c->s, p, n);
	}
}

static inline void shype_sha256_final(struct shype_sha256 *c, u8 *out)
{
	sha256_final(&c->s, out);
}

#else /* !__KERNEL__ */

#define SHYPE_SHA256_BLOCK 64

/**
 * struct shype_sha256 - state of one SHA-256 computation
 * @h: the hash value so far
 * @len: bytes hashed so far
 * @buf: a partial block, (@len % 64) bytes of it in use
 */
struct shype_sha256 {
	u32 h[8];
	u64 len;
	u8 buf[SHYPE_SHA256_BLOCK];
};

/** shype_sha256_init() - start a computation */
void shype_sha256_init(struct shype_sha256 *c);

/** shype_sha256_update() - hash @len more bytes at @data */
void shype_sha256_update(struct shype_sha256 *c, const void *data, size_t len);

/** shype_sha256_final() - finish; write the 32-byte digest to @out */
void shype_sha256_final(struct shype_sha256 *c, u8 *out);

#endif /* __KERNEL__ */

#endif /* SHYPE_CORE_SHA256_H */
