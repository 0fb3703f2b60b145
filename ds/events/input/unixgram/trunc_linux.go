package unixgram

import "syscall"

const msgTrunc = syscall.MSG_TRUNC
