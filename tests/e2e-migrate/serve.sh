#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The migration test's command channel, on the "dst" test host only:
# `busybox nc -ll -e` runs this for each connection from "src" (the other
# test host, on a private link).  One command line in; its output, then
# "rc=STATUS", out.
read -r cmd
bash -c "$cmd" 2>&1
echo "rc=$?"
