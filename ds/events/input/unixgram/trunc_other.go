//go:build !linux

package unixgram

const msgTrunc = 0
