package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// Call sends one request to the daemon listening at path and returns its
// answer. It returns ErrNoDaemon when nothing listens there, and an error
// wrapping ErrUntrustedPeer, having sent nothing, when the process that
// answers is not a dsengine daemon of the expected user (see the package
// comment). Cancelling ctx (Ctrl-C) returns at once and closes the
// connection, which tells the daemon to stop the command.
func Call(ctx context.Context, path string, req Request) (Response, error) {
	var d net.Dialer
	dialCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := d.DialContext(dialCtx, "unix", path)
	if err != nil {
		switch {
		case isNoDaemon(err):
			return Response{}, ErrNoDaemon
		case ctx.Err() != nil:
			return Response{}, fmt.Errorf("control socket %s: %w", path, context.Cause(ctx))
		case errors.Is(err, os.ErrPermission):
			return Response{}, fmt.Errorf("control socket %s: %w: the daemon takes commands from its own user and root; run the command as one of them", path, err)
		}
		return Response{}, fmt.Errorf("control socket %s: %w", path, err)
	}
	conn := c.(*net.UnixConn)
	defer conn.Close()
	peer, err := peerCred(conn)
	if err != nil {
		return Response{}, fmt.Errorf("control socket %s: who answers there: %w", path, err)
	}
	if err := checkDaemon(path, peer); err != nil {
		return Response{}, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	failed := func(err error) (Response, error) {
		if ctx.Err() != nil {
			return Response{}, fmt.Errorf("control socket %s: %w; the daemon was told to stop the command", path, context.Cause(ctx))
		}
		// A daemon that accepted the connection and went away before its
		// answer fails the write or the read, depending on timing: either
		// way it is stopping or restarting.
		return Response{}, fmt.Errorf("control socket %s: %w: %w", path, errGone, err)
	}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return failed(err)
	}
	var resp Response
	if err := json.NewDecoder(io.LimitReader(conn, MaxResponse)).Decode(&resp); err != nil {
		return failed(err)
	}
	return resp, nil
}

// isNoDaemon says whether a dial error means nothing listens at the path.
func isNoDaemon(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}
