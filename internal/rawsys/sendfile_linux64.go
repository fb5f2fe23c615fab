//go:build linux && (amd64 || arm64 || riscv64 || loong64 || ppc64 || ppc64le || s390x || mips64 || mips64le)

package rawsys

import "golang.org/x/sys/unix"

// sysSendfile is sendfile(2) with a 64-bit offset.
const sysSendfile = unix.SYS_SENDFILE
