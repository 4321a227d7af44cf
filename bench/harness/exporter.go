package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// exporterBinary makes the run's temporary folder (its name starts with
// prefix) and returns it with the exporter binary to measure: bin when
// given (the -exporter flag), else one built into the folder. The caller
// removes the folder.
func exporterBinary(ctx context.Context, prefix, bin string) (dir, exe string, err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", err
	}
	if bin != "" {
		return dir, bin, nil
	}
	if bin, err = build(ctx, dir); err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	return dir, bin, nil
}

// build runs make build from the module's root, writing the binary into
// dir, so that the binary measured is the one the image ships.
func build(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the harness inside the donation_exporter module, or pass -exporter")
	}
	bin := filepath.Join(dir, "donation_exporter")
	cmd := exec.CommandContext(ctx, "make", "-C", filepath.Dir(gomod), "build", "BINARY="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make build (or pass -exporter): %w\n%s", err, out)
	}
	return bin, nil
}

// exporterBaseEnv is the environment every mode starts the exporter with:
// a free loopback port, and JSON logs, which startExporter reads.
func exporterBaseEnv() []string {
	return []string{"DONATION_LISTEN_ADDRESS=127.0.0.1:0", "DONATION_LOG_FORMAT=json"}
}

// exporter is the running exporter process.
type exporter struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{} // closed when the process has exited
}

func (e *exporter) pid() int { return e.cmd.Process.Pid }

// stop ends the exporter with SIGTERM, or SIGKILL when it does not exit
// within 10 s.
func (e *exporter) stop() { stopProcess(e.cmd.Process, syscall.SIGTERM, e.done) }

// stopProcess sends p sig and waits until done is closed (p has exited),
// killing p when it has not exited within 10 s.
func stopProcess(p *os.Process, sig os.Signal, done <-chan struct{}) {
	_ = p.Signal(sig)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.Kill()
		<-done
	}
}

// startExporter runs bin with env alone and waits until it listens. Its
// warnings and errors are copied to stderr.
func startExporter(ctx context.Context, bin string, env []string, stderr io.Writer) (*exporter, error) {
	cmd := exec.Command(bin)
	cmd.Env = env
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	e := &exporter{cmd: cmd, done: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		copyLogs(logs, listening, stderr)
		_ = cmd.Wait()
		close(e.done)
	}()
	select {
	case e.addr = <-listening:
		return e, nil
	case <-e.done:
		return nil, fmt.Errorf("exporter exited before listening: %v", cmd.ProcessState)
	case <-time.After(30 * time.Second):
		e.stop()
		return nil, errors.New("exporter not listening after 30 s")
	case <-ctx.Done():
		e.stop()
		return nil, context.Cause(ctx)
	}
}

// copyLogs reads the exporter's JSON log until it ends: the address of its
// "Listening on" record goes to listening, warnings, errors and lines that
// are not JSON to stderr.
func copyLogs(logs io.Reader, listening chan<- string, stderr io.Writer) {
	sc := bufio.NewScanner(logs)
	for sc.Scan() {
		var rec struct{ Msg, Level, Address string }
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			fmt.Fprintln(stderr, "exporter:", sc.Text())
			continue
		}
		switch {
		case rec.Msg == "Listening on":
			select {
			case listening <- rec.Address:
			default:
			}
		case rec.Level == "warn" || rec.Level == "error":
			fmt.Fprintln(stderr, "exporter:", sc.Text())
		}
	}
}
