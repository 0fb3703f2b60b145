// Package fleettest starts real nats-server processes with JetStream for
// the fleet's tests: one server, or a three-node cluster on loopback
// whose nodes can be killed and restarted.
package fleettest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Node is one nats-server.
type Node struct {
	Name    string
	Port    int
	Cluster int // the route port; 0 for a lone server
	Dir     string
	conf    string
	proc    *testserver.Process
	t       testing.TB
}

// URL is the node's client URL.
func (n *Node) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.Port) }

// Cluster is the nodes of a test's JetStream.
type Cluster struct {
	Nodes []*Node
}

// URL is every node's client URL, comma separated, as nats.Connect takes it.
func (c *Cluster) URL() string {
	var urls []string
	for _, n := range c.Nodes {
		urls = append(urls, n.URL())
	}
	return strings.Join(urls, ",")
}

// Replicas is the replica count streams on the cluster take.
func (c *Cluster) Replicas() int { return len(c.Nodes) }

// Start starts n nats-servers with JetStream (1, or 3 routed to each
// other) and waits until JetStream answers. They stop when the test ends.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	testserver.Require(t, "nats-server")
	c := &Cluster{}
	for i := range n {
		node := &Node{Name: fmt.Sprintf("n%d", i+1), Port: testserver.FreePort(t), Dir: t.TempDir(), t: t}
		if n > 1 {
			node.Cluster = testserver.FreePort(t)
		}
		c.Nodes = append(c.Nodes, node)
	}
	for _, node := range c.Nodes {
		var b strings.Builder
		fmt.Fprintf(&b, "server_name: %s\nlisten: 127.0.0.1:%d\n", node.Name, node.Port)
		fmt.Fprintf(&b, "jetstream { store_dir: %q }\n", filepath.Join(node.Dir, "js"))
		if n > 1 {
			fmt.Fprintf(&b, "cluster {\n  name: dsfleet\n  listen: 127.0.0.1:%d\n  routes: [\n", node.Cluster)
			for _, o := range c.Nodes {
				if o != node {
					fmt.Fprintf(&b, "    nats-route://127.0.0.1:%d\n", o.Cluster)
				}
			}
			b.WriteString("  ]\n}\n")
		}
		node.conf = filepath.Join(node.Dir, "nats.conf")
		testserver.WriteFile(t, node.conf, b.String(), 0o644)
		node.Restart()
	}
	c.WaitReady(t)
	return c
}

// Restart starts the node again, with its store.
func (n *Node) Restart() {
	n.proc = testserver.Start(n.t, n.Dir, "nats-server", "-c", n.conf)
	n.proc.WaitTCP(n.t, fmt.Sprintf("127.0.0.1:%d", n.Port))
}

// Kill ends the node with SIGKILL and waits for it.
func (n *Node) Kill() {
	_ = syscall.Kill(n.proc.Cmd.Process.Pid, syscall.SIGKILL)
	_ = n.proc.Cmd.Wait()
}

// Stop ends the node with SIGINT (a clean shutdown) and waits for it.
func (n *Node) Stop() {
	_ = syscall.Kill(n.proc.Cmd.Process.Pid, syscall.SIGINT)
	_ = n.proc.Cmd.Wait()
}

// Pid is the node's process ID.
func (n *Node) Pid() int { return n.proc.Cmd.Process.Pid }

// Output is what the node printed.
func (n *Node) Output() string { return n.proc.Output() }

// WaitReady waits until JetStream answers an account query and can create
// a replicated stream (the meta leader is elected).
func (c *Cluster) WaitReady(t testing.TB) {
	t.Helper()
	nc, err := nats.Connect(c.URL())
	if err != nil {
		t.Fatalf("connect %s: %v", c.URL(), err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ok := testserver.Poll(30*time.Second, 100*time.Millisecond, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := js.AccountInfo(ctx); err != nil {
			return false
		}
		// Every node is a JetStream peer when a stream can have a
		// replica on each.
		_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "FLEETTEST_READY", Subjects: []string{"fleettest.ready"},
			Replicas: len(c.Nodes), Storage: jetstream.MemoryStorage})
		if err != nil {
			return false
		}
		return js.DeleteStream(ctx, "FLEETTEST_READY") == nil
	})
	if !ok {
		t.Fatalf("JetStream on %s not ready within 30s:\n%s", c.URL(), c.Nodes[0].Output())
	}
}

// Connect connects to the cluster for the test; the connection closes
// when the test ends.
func (c *Cluster) Connect(t testing.TB) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(c.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("connect %s: %v", c.URL(), err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// Fleet is a cluster with the fleet's streams and buckets, and a
// connection to it, for a test.
type Fleet struct {
	*Cluster
	Ctx     context.Context // ends with the test
	JS      jetstream.JetStream
	Buckets fleet.Buckets
}

// StartFleet starts nodes nats-servers (1 or 3) and creates the fleet's
// streams with partitions partitions and its buckets with leases of ttl,
// replicated on every node.
func StartFleet(t testing.TB, nodes, partitions int, ttl time.Duration) *Fleet {
	t.Helper()
	c := Start(t, nodes)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	_, js := c.Connect(t)
	if err := fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: partitions, Replicas: c.Replicas()}); err != nil {
		t.Fatal(err)
	}
	b, err := fleet.EnsureBuckets(ctx, js, c.Replicas(), ttl)
	if err != nil {
		t.Fatal(err)
	}
	return &Fleet{Cluster: c, Ctx: ctx, JS: js, Buckets: b}
}
