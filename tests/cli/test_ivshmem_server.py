#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""shype-ivshmem-server on this machine, against a stand-in for shype's
securityfs files ($SHYPE_SECURITYFS) and cgroup tree ($SHYPE_CGROUP_ROOT):
QEMU's ivshmem protocol message by message, and the label check.  The
clients are this process's children; their labels come from the stand-in
cgroups file (by the cgroup directory's inode) or vms file (by pid).

usage: test_ivshmem_server.py SERVER SHYPECTL POLICY.json
Prints "ok/not ok" lines and "N passed, N failed"."""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

server_bin, shypectl, policy = sys.argv[1:4]
tmp = tempfile.mkdtemp(prefix="shype-ivs-")
sfs = os.path.join(tmp, "sfs")
cgroot = os.path.join(tmp, "cgroup")
os.makedirs(sfs)
results = []


def check(ok, name, detail=""):
    results.append(ok)
    print(("ok" if ok else "not ok") + f" {len(results)} {name}")
    if not ok and detail:
        print("# " + str(detail).replace("\n", "\n# "))


# The stand-in kernel: the compiled policy, a status line, this process's
# cgroup labelled 'order', and a vms file filled in per test.
subprocess.run([shypectl, "policy", "compile", policy, "-o",
                os.path.join(sfs, "policy")], check=True)
with open(os.path.join(sfs, "status"), "w") as f:
    f.write("policy=figure2 version=1.0 digest=00 mode=enforce vms=0 "
            "hooks=11 memory=0\n")
with open("/proc/self/cgroup") as f:
    cg = [l.strip()[3:] for l in f if l.startswith("0::")][0]
cgdir = os.path.join(cgroot, cg.lstrip("/"))
os.makedirs(cgdir, exist_ok=True)
with open(os.path.join(sfs, "cgroups"), "w") as f:
    f.write(f"cgroup={cg} id={os.stat(cgdir).st_ino} label=order\n")


def set_vms(lines):
    with open(os.path.join(sfs, "vms"), "w") as f:
        f.write("".join(l + "\n" for l in lines))


def start(*args):
    sock = os.path.join(tmp, "s.sock")
    if os.path.exists(sock):  # the last server's: not this one's yet
        os.unlink(sock)
    log = open(os.path.join(tmp, "server.log"), "w+")
    env = dict(os.environ, SHYPE_SECURITYFS=sfs, SHYPE_CGROUP_ROOT=cgroot)
    p = subprocess.Popen([server_bin, "-S", sock, "-M",
                          os.path.join(tmp, "shm"), "-l", "64K", "-n", "2",
                          *args], stderr=log, env=env)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return p, sock, log


def connect(sock):
    # The socket's file exists from bind(), a moment before listen().
    for _ in range(100):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sock)
            break
        except ConnectionRefusedError:
            s.close()
            time.sleep(0.02)
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock)
    s.settimeout(5)
    return s


def recv(s):
    """One message: (number, fd or None); (None, None) at EOF."""
    data, fds, _, _ = socket.recv_fds(s, 8, 1)
    if not data:
        return None, None
    return struct.unpack("<q", data)[0], (fds[0] if fds else None)


def recv_n(s, n):
    return [recv(s) for _ in range(n)]


def numbers(msgs):
    return [(m, fd is not None) for m, fd in msgs]


def log_text(log):
    log.flush()
    log.seek(0)
    return log.read()


# 1. Two Order peers: the whole protocol.
set_vms([])
p, sock, log = start()
a = connect(sock)
got = recv_n(a, 5)
check(numbers(got) == [(0, False), (0, False), (-1, True), (0, True),
                       (0, True)],
      "first peer gets version, id 0, shm fd, its own 2 eventfds",
      numbers(got))
shm_fd = got[2][1]
check(shm_fd is not None and os.fstat(shm_fd).st_size == 64 * 1024,
      "the shm fd is the 64K file")
b = connect(sock)
got = recv_n(b, 7)
check(numbers(got) == [(0, False), (1, False), (-1, True), (0, True),
                       (0, True), (1, True), (1, True)],
      "second peer gets id 1, peer 0's eventfds, then its own",
      numbers(got))
got = recv_n(a, 2)
check(numbers(got) == [(1, True), (1, True)],
      "first peer is told of peer 1 with its eventfds", numbers(got))
b.close()
got = recv(a)
check((got[0], got[1] is None) == (1, True),
      "first peer is told peer 1 left, without an fd", got)
c = connect(sock)
got = recv_n(c, 2)
check(numbers(got)[1] == (2, False),
      "a new peer gets id 2, not the id that just left (QEMU 7.2 would "
      "write through a freed array)", numbers(got))
c.close()
a.close()
p.terminate()
p.wait()
check("peer 1 joined: pid" in log_text(log) and
      "label 'order' (" + cg + "), policy 'figure2'" in log_text(log),
      "the server logs who joined with its label", log_text(log))

# 2. A peer of another coalition (its VM's label, from the vms file).
p, sock, log = start()
a = connect(sock)
recv_n(a, 5)
rd, wr = os.pipe()
pid = os.fork()
if pid == 0:  # the Computing VMM: waits to be told to connect
    os.close(wr)
    os.read(rd, 1)
    s = connect(sock)
    try:
        m = recv(s)
    except OSError:
        m = (None, None)
    os._exit(0 if m == (None, None) else 1)
os.close(rd)
set_vms([f"vm=7 pid={pid} label=computing state=ok"])
os.write(wr, b"x")
_, status = os.waitpid(pid, 0)
check(os.WEXITSTATUS(status) == 0,
      "a Computing peer is closed before any message")
time.sleep(0.2)
text = log_text(log)
check(f"refused peer pid {pid}, label computing: label 'computing' (vm=7) "
      "shares no STE type with peer 0 (pid" in text,
      "the refusal names the pid, the label and why", text)
a.settimeout(0.3)
try:
    a.recv(8)
    quiet = False
except socket.timeout:
    quiet = True
check(quiet, "the connected peer hears nothing of the refused one")
a.close()
p.terminate()
p.wait()

# 3. The shared memory's label: --label, and --no-check.
set_vms([])
for args, refused, name in (
        (["--label", "vdisk_ads"], True, "refused by the shm's label"),
        (["--label", "vdisk_order"], False, "admitted by the shm's label"),
        (["--label", "vdisk_ads", "--no-check"], False,
         "--no-check admits anyone")):
    p, sock, log = start(*args)
    a = connect(sock)
    got = recv(a)
    check((got == (None, None)) == refused, name, log_text(log))
    a.close()
    p.terminate()
    p.wait()

failed = results.count(False)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
