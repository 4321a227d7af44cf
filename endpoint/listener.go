package endpoint

import (
	"net"
	"sync"
	"sync/atomic"
)

// LimitListener caps the connections open at once from l at max. A
// connection over the cap is accepted and closed at once, and counted in
// rejections: a client sees a refusal instead of waiting, unanswered, in
// the kernel's queue (golang.org/x/net/netutil.LimitListener blocks Accept
// instead, which counts nothing and leaves every new client hanging).
func LimitListener(l net.Listener, max int, rejections *Rejections) net.Listener {
	return &limitListener{Listener: l, max: int64(max), rejections: rejections}
}

type limitListener struct {
	net.Listener
	max        int64
	open       atomic.Int64
	rejections *Rejections
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > l.max {
			l.open.Add(-1)
			l.rejections.Connection(conn.RemoteAddr(), ReasonConnectionLimit)
			_ = conn.Close()
			continue
		}
		return &countedConn{Conn: conn, release: func() { l.open.Add(-1) }}, nil
	}
}

// Open is how many accepted connections are open.
func (l *limitListener) Open() int64 { return l.open.Load() }

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
