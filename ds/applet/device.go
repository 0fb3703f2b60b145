package applet

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/executor"
)

// OnDevice is the Host of applets acting on dev, the device DS actions and
// scripts act on: `cli command` runs on its executor, `syslog` logs
// through it (the detectors see the line), `mail` sends through the
// applet's own server and sender, and `context save|retrieve` share the
// device's contexts with the scripts, as EEM shares them between applets
// and policies (the device charges a saved context to the owner of the
// run's context, events.WithOrigin: the daemon runs each applet as
// "applet:NAME"). Counters live with the returned Host. `reload` runs the
// exec command "reload" (the command map's entry on the local executor);
// `file` is refused (see OnDeviceFiles).
func OnDevice(dev action.Device) Host { return OnDeviceFiles(dev, nil) }

// OnDeviceFiles is OnDevice with the files of `action file` in files.
func OnDeviceFiles(dev action.Device, files *DirFiles) Host {
	return &deviceHost{dev: dev, files: files}
}

type deviceHost struct {
	dev      action.Device
	files    *DirFiles
	counters MemoryState // only its counters are used
}

func (h *deviceHost) Reload(ctx context.Context) error {
	_, err := h.dev.Command(ctx, "reload")
	if errors.Is(err, executor.ErrRefused) {
		return fmt.Errorf("reload refused: %w (map it: command-map \"reload\" \"LINUX COMMAND\" under diagnostic-signature)", err)
	}
	return err
}

func (h *deviceHost) OpenFile(ctx context.Context, name, mode string) (File, error) {
	if h.files == nil {
		return nil, errors.New("file refused: dsengine runs without a bootflash directory")
	}
	return h.files.Open(ctx, name, mode)
}

func (h *deviceHost) DeleteFile(ctx context.Context, name string) error {
	if h.files == nil {
		return errors.New("file refused: dsengine runs without a bootflash directory")
	}
	return h.files.Delete(ctx, name)
}

func (h *deviceHost) CLI(ctx context.Context, command string) (string, error) {
	return h.dev.Command(ctx, command)
}

func (h *deviceHost) Syslog(ctx context.Context, severity int, msg string) error {
	_, err := h.dev.Log(ctx, ds.Severity(severity), msg)
	return err
}

// Mail sends through the applet's `server` with its `from`, as IOS does;
// without a server, through the call-home mail servers.
func (h *deviceHost) Mail(ctx context.Context, m Mail) error {
	var servers []string
	if s := strings.TrimSpace(m.Server); s != "" {
		servers = []string{s}
	}
	to := strings.FieldsFunc(m.To+","+m.Cc, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	_, err := h.dev.Mail(ctx, action.Mail{Servers: servers, From: m.From, To: to, Subject: m.Subject, Body: m.Body})
	return err
}

func (h *deviceHost) UpdateCounter(ctx context.Context, name string, op CounterOp, v int64) (int64, error) {
	return h.counters.UpdateCounter(ctx, name, op, v)
}

func (h *deviceHost) ContextSave(ctx context.Context, name string, vars map[string]string) error {
	return h.dev.SaveContext(ctx, name, vars)
}

func (h *deviceHost) ContextRetrieve(ctx context.Context, name string) (map[string]string, bool, error) {
	return h.dev.RetrieveContext(ctx, name)
}
