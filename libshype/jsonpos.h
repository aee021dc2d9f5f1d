/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Positions in a JSON text, which json-c does not keep: a light scanner over
 * text that json-c has already accepted records where each value and each
 * object key starts, as a tree in preorder that mirrors json-c's.  Also the
 * byte offset -> line:column translation of error messages.
 */
#ifndef LIBSHYPE_JSONPOS_H
#define LIBSHYPE_JSONPOS_H

#include <stddef.h>

/**
 * struct jpos_node - one JSON value
 * @off: byte offset of its first character
 * @key_off: for an object member, byte offset of its key's opening quote
 * @key: for an object member, its key decoded as json-c decodes it
 *	(NUL terminated; a "\u0000" in the key ends the C string early)
 * @key_len: length of the decoded key including any "\u0000"
 * @n: number of elements (array) or members (object)
 * @end: index of the node after this value's subtree: a first child is at
 *	the node's index + 1, the next sibling of a child c at c's @end
 */
struct jpos_node {
	size_t off;
	size_t key_off;
	char *key;
	size_t key_len;
	unsigned int n;
	unsigned int end;
};

/**
 * struct jpos - the position index of one text
 * @v: the nodes, in preorder; v[0] is the top-level value
 * @n: how many
 * @line: byte offsets at which each line starts
 * @n_line: how many lines
 */
struct jpos {
	const char *text;
	size_t len;
	struct jpos_node *v;
	size_t n, cap;
	size_t *line;
	size_t n_line;
};

/**
 * jpos_lines() - set up @ix for @text and index its lines
 *
 * Return: 0 or -ENOMEM.
 */
int jpos_lines(struct jpos *ix, const char *text, size_t len);

/**
 * jpos_linecol() - 1-based line and column (in UTF-8 code points) of the
 *	byte at @off, from the index of jpos_lines()
 */
void jpos_linecol(const struct jpos *ix, size_t off, unsigned int *line,
		  unsigned int *col);

/**
 * jpos_scan() - index the JSON value that starts at @start
 * @ix: from jpos_lines()
 * @start: offset of the value, in text that json-c has accepted
 * @err_off: on -EINVAL, where the text is not what json-c accepted
 * @why: on -EINVAL, what is wrong there
 *
 * Return: 0; -EINVAL for a construct json-c accepts but JSON does not (a
 * single-quoted key); -ENOMEM.
 */
int jpos_scan(struct jpos *ix, size_t start, size_t *err_off, const char **why);

/** jpos_free() - free what @ix holds */
void jpos_free(struct jpos *ix);

#endif /* LIBSHYPE_JSONPOS_H */
