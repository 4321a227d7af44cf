package endpoint

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// LimitListener caps the connections open at once from l at max. At the
// cap, a new connection takes the place of the connection idle the
// longest (a kept-alive connection between requests), which is closed;
// with none idle, the new one is accepted and closed at once, and counted
// in rejections: a client sees a refusal instead of waiting, unanswered,
// in the kernel's queue (golang.org/x/net/netutil.LimitListener blocks
// Accept instead, which counts nothing, leaves every new client hanging,
// and lets idle connections keep everyone else out).
//
// The server must report its connections' states to ConnState (set
// http.Server.ConnState to it) for idle ones to be closed.
func LimitListener(l net.Listener, max int, rejections *Rejections) *Limited {
	return &Limited{Listener: l, max: int64(max), rejections: rejections, idle: map[net.Conn]time.Time{}}
}

// Limited is a listener made by LimitListener.
type Limited struct {
	net.Listener
	max        int64
	open       atomic.Int64
	rejections *Rejections

	mu   sync.Mutex
	idle map[net.Conn]time.Time // since when each idle connection is
}

// Accept waits for the next connection within the cap.
func (l *Limited) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > l.max && !l.closeOldestIdle() {
			l.open.Add(-1)
			l.rejections.Connection(conn.RemoteAddr(), ReasonConnectionLimit)
			_ = conn.Close()
			continue
		}
		return &countedConn{Conn: conn, release: func() { l.open.Add(-1) }}, nil
	}
}

// ConnState follows the server's connections, for http.Server.ConnState.
func (l *Limited) ConnState(conn net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if state == http.StateIdle {
		l.idle[conn] = time.Now()
		return
	}
	delete(l.idle, conn)
}

// closeOldestIdle closes the connection idle the longest and reports
// whether there was one; its place then goes to the new connection.
func (l *Limited) closeOldestIdle() bool {
	l.mu.Lock()
	var oldest net.Conn
	var since time.Time
	for conn, t := range l.idle {
		if oldest == nil || t.Before(since) {
			oldest, since = conn, t
		}
	}
	if oldest != nil {
		delete(l.idle, oldest)
	}
	l.mu.Unlock()
	if oldest == nil {
		return false
	}
	_ = oldest.Close() // gives its place back to the new one, counted in already
	return true
}

// Open is how many accepted connections are open.
func (l *Limited) Open() int64 { return l.open.Load() }

type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
