/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shype-ivshmem-server: the label decision on a connecting peer, taken with
 * kmod/core's STE rule against the policy the kernel enforces now.
 */
#ifndef SHYPE_IVSHMEM_CHECK_H
#define SHYPE_IVSHMEM_CHECK_H

#include <stddef.h>

#include "../../libshype/shype.h"

/**
 * struct check_peer - a peer already connected, as the check sees it
 * @id: its ivshmem peer id
 * @pid: its process
 * @label: its label when it connected ("" for an unlabelled VMM)
 */
struct check_peer {
	int id;
	int pid;
	char label[SHYPE_NAME_MAX + 1];
};

/**
 * check_peer_join() - may process @pid join the shared memory @shm_path
 *	and the peers @peers?
 * @pid: the connecting process (SO_PEERCRED)
 * @shm_path: the shared memory file's path, for its "shm:PATH" resource
 *	label
 * @shm_label: the shared memory's label (--label), or NULL to take the
 *	policy's resource label of @shm_path, if any
 * @peers: the peers connected now
 * @n: how many
 * @label: out: @pid's label ("" when it has none)
 * @why: out: on refusal, the reason in words; on success, how the decision
 *	was taken
 * @size: size of @why
 *
 * Return: 0 allowed; 1 refused; a negative errno when the kernel's state
 * could not be read (the caller refuses then too).
 */
int check_peer_join(int pid, const char *shm_path, const char *shm_label,
		    const struct check_peer *peers, size_t n,
		    char label[SHYPE_NAME_MAX + 1], char *why, size_t size);

#endif /* SHYPE_IVSHMEM_CHECK_H */
