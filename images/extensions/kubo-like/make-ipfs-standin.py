#!/usr/bin/env python3
"""Writes rootfs/usr/bin/ipfs: a ~190-byte static x86-64 ELF that prints one line and exits 0.

It stands in for kubo's ipfs binary in the kubo-like extension (the seed example ships only /usr/bin/ipfs):
a real static executable, no libc, no interpreter, so it runs on any x86-64 host the extension merges into.
"""
import struct
import sys

MESSAGE = b"ipfs version 0.0.0-sysext-harness (a static stand-in for kubo)\n"
BASE = 0x400000
HEADERS = 64 + 56

code = bytearray()
code += b"\xb8\x01\x00\x00\x00"          # mov eax, 1 (write)
code += b"\xbf\x01\x00\x00\x00"          # mov edi, 1 (stdout)
lea_at = len(code)
code += b"\x48\x8d\x35\x00\x00\x00\x00"  # lea rsi, [rip + msg]
code += b"\xba" + struct.pack("<I", len(MESSAGE))  # mov edx, len
code += b"\x0f\x05"                      # syscall
code += b"\xb8\x3c\x00\x00\x00"          # mov eax, 60 (exit)
code += b"\x31\xff"                      # xor edi, edi
code += b"\x0f\x05"                      # syscall
struct.pack_into("<i", code, lea_at + 3, len(code) - (lea_at + 7))
body = bytes(code) + MESSAGE
size = HEADERS + len(body)

elf = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0,
                  2, 0x3E, 1, BASE + HEADERS, 64, 0, 0, 64, 56, 1, 0, 0, 0)
phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, BASE, BASE, size, size, 0x1000)
out = sys.argv[1] if len(sys.argv) > 1 else "rootfs/usr/bin/ipfs"
with open(out, "wb") as f:
    f.write(elf + phdr + body)
