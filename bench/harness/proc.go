package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// cpuSeconds returns the user and system CPU time process pid has used, from
// /proc/<pid>/stat.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(b))
}

// parseStat reads utime + stime out of a /proc/<pid>/stat line. The
// command name, in parentheses, may hold spaces and parentheses itself, so
// the fields are counted from the last ")".
func parseStat(stat string) (float64, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("stat %q: no command name", stat)
	}
	// After the name: state (field 3) ... utime (14), stime (15).
	fields := strings.Fields(stat[end+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("stat %q: %d fields after the name, want at least 13", stat, len(fields))
	}
	var ticks uint64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("stat: CPU time %q: %w", f, err)
		}
		ticks += n
	}
	return float64(ticks) / clockTicks, nil
}

// cpuDuring returns the CPU seconds process pid used while fn ran.
func cpuDuring(pid int, fn func() error) (float64, error) {
	before, err := cpuSeconds(pid)
	if err != nil {
		return 0, err
	}
	if err := fn(); err != nil {
		return 0, err
	}
	after, err := cpuSeconds(pid)
	if err != nil {
		return 0, err
	}
	return after - before, nil
}

// memory is what /proc/<pid>/status says of a process' resident set.
type memory struct {
	RSS  int64 // VmRSS: resident now, in bytes
	Peak int64 // VmHWM: the most ever resident, in bytes
}

// readMemory reads VmRSS and VmHWM from /proc/<pid>/status.
func readMemory(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	return parseStatus(bufio.NewScanner(f))
}

func parseStatus(sc *bufio.Scanner) (memory, error) {
	var m memory
	found := 0
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		var dst *int64
		switch name {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		}
		if !ok || dst == nil {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("status %s: %q: %w", name, value, err)
		}
		*dst = kib << 10
		found++
	}
	if err := sc.Err(); err != nil {
		return memory{}, err
	}
	if found != 2 {
		return memory{}, fmt.Errorf("status: VmRSS and VmHWM not both found")
	}
	return m, nil
}

// idleMemory waits d, then reads pid's memory: what is resident when the
// process has been left alone for d.
func idleMemory(ctx context.Context, pid int, d time.Duration) (memory, error) {
	if err := sleep(ctx, d); err != nil {
		return memory{}, err
	}
	return readMemory(pid)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// resetPeak sets process pid's peak resident memory (VmHWM) to what is
// resident now (writing 5 to /proc/<pid>/clear_refs), so that the next
// reading of the peak is that of what ran since.
func resetPeak(pid int) error {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		return fmt.Errorf("reset the peak resident memory: %w", err)
	}
	return nil
}

// loadAverage returns the machine's load averages over 1, 5 and 15
// minutes, from /proc/loadavg, as the file writes them.
func loadAverage() (string, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "", err
	}
	fields := strings.Fields(string(b))
	if len(fields) < 3 {
		return "", errors.New("/proc/loadavg: fewer than three load averages")
	}
	return strings.Join(fields[:3], " "), nil
}
