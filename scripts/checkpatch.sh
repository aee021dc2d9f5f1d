#!/bin/sh
# checkpatch.pl --strict, from Debian's linux-source-6.1, on kmod/.
set -eu
dir=build/checkpatch
if [ ! -x $dir/scripts/checkpatch.pl ]; then
	mkdir -p $dir
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C $dir --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi
files=$(find kmod include -name '*.[ch]' | sort)
$dir/scripts/checkpatch.pl --strict --no-tree --quiet --show-types \
	-f $files
echo "checkpatch: clean"
