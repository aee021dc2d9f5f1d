#!/bin/sh
# Print the Debian mirror that this machine's apt sources name for
# bookworm (deb822 sources first, then sources.list), so that scripts
# reach the same archive as apt without naming it anywhere.
# usage: scripts/mirror.sh; exits 1, saying so, when there is none.
set -eu
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources \
	2>/dev/null | grep -v -- '-security' | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) bookworm .*/\2/p' \
	/etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || { echo "mirror.sh: no Debian mirror in apt sources" >&2; exit 1; }
echo "$mirror"
