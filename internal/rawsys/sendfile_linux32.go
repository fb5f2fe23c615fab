//go:build linux && (386 || arm || mips || mipsle)

package rawsys

import "golang.org/x/sys/unix"

// sysSendfile is sendfile(2) with a 64-bit offset (sendfile64 on 32-bit
// architectures).
const sysSendfile = unix.SYS_SENDFILE64
