/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4) for kmod/core: small and portable, so that the
 * kernel and user space compute the policy digest with the same code.
 */
#ifndef SHYPE_CORE_SHA256_H
#define SHYPE_CORE_SHA256_H

#include "compat.h"

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

#endif /* SHYPE_CORE_SHA256_H */
