package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// A real S3-compatible server for the drill and the tests: versitygw (Apache
// 2.0; MinIO is AGPL) with its posix backend on a folder, built from the Go
// module proxy on first use and kept in the user's cache folder.

// versitygwModule is the server's module and version; its command is built
// with go install, outside our module.
const versitygwModule = "github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// S3Bucket is the bucket StartS3 creates; S3AccessKey and S3SecretKey are its
// root user's keys. Test credentials of a server on 127.0.0.1 only.
const (
	S3Bucket    = "dinsosbot-replica"
	S3AccessKey = "DINSOSBOTDRILLKEY"
	S3SecretKey = "dinsosbot-drill-secret-not-for-production"
)

// s3BuildTimeout bounds the build: on a fresh machine it downloads the
// server's modules and compiles them (about 2 minutes on 2 cores).
const s3BuildTimeout = 10 * time.Minute

// s3StartTimeout bounds the wait for the server to listen.
const s3StartTimeout = 20 * time.Second

// StartS3 starts a versitygw server on 127.0.0.1 serving dir, with the bucket
// S3Bucket made, and returns its endpoint ("http://127.0.0.1:PORT") and a
// function that stops it. It fails with the reason (the build's or the
// server's last output) rather than hang: the build and the start each have
// a time limit.
func StartS3(ctx context.Context, dir string) (endpoint string, stop func(), err error) {
	exe, err := versitygwBinary(ctx)
	if err != nil {
		return "", nil, err
	}
	root, meta := filepath.Join(dir, "root"), filepath.Join(dir, "meta")
	// A folder under the root is a bucket (single-account mode); its
	// metadata goes to the sidecar folder, so the file system needs no
	// extended attributes (tmpfs and overlayfs may lack them).
	for _, d := range []string{filepath.Join(root, S3Bucket), meta} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", nil, fmt.Errorf("s3 server: %w", err)
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	logPath := filepath.Join(dir, "versitygw.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", nil, fmt.Errorf("s3 server: %w", err)
	}
	cmd := exec.Command(exe, "--port", addr, "--quiet", "posix", "--sidecar", meta, root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+S3AccessKey, "ROOT_SECRET_ACCESS_KEY="+S3SecretKey)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return "", nil, fmt.Errorf("s3 server: start %s: %w", exe, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logFile.Close(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	endpoint = "http://" + addr
	deadline := time.Now().Add(s3StartTimeout)
	for {
		// Any HTTP answer (an S3 error for an unsigned request) means it
		// listens.
		resp, err := http.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return endpoint, stop, nil
		}
		select {
		case <-exited:
			return "", nil, fmt.Errorf("s3 server exited at start: %s", lastLine(logPath))
		case <-ctx.Done():
			stop()
			return "", nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("s3 server not listening on %s after %v: %s", addr, s3StartTimeout, lastLine(logPath))
		}
	}
}

// versitygwBinary is the server's program, built into the cache folder when
// it is not there yet.
func versitygwBinary(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "dinsosbot", "versitygw-v1.8.0")
	exe := filepath.Join(bin, "versitygw")
	if _, err := os.Stat(exe); err == nil {
		return exe, nil
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return "", fmt.Errorf("s3 server: %w", err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("s3 server: building versitygw needs the go command in PATH: %w", err)
	}
	bctx, cancel := context.WithTimeout(ctx, s3BuildTimeout)
	defer cancel()
	// go install pkg@version builds outside any module: run it from the
	// cache folder, with GOBIN there; it needs no cgo.
	cmd := exec.CommandContext(bctx, goTool, "install", versitygwModule)
	cmd.Dir = bin
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if bctx.Err() != nil {
			err = fmt.Errorf("%w (limit %v)", bctx.Err(), s3BuildTimeout)
		}
		return "", fmt.Errorf("s3 server: build %s: %w: %s", versitygwModule, err, tail(out.String(), 5))
	}
	if _, err := os.Stat(exe); err != nil {
		return "", fmt.Errorf("s3 server: built %s but %s is missing: %w", versitygwModule, exe, err)
	}
	return exe, nil
}

// freeAddr is a 127.0.0.1 address with a port free at the time of asking.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("s3 server: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// tail is the last n lines of s, joined by " | ".
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 || lines[0] == "" {
		return "(no output)"
	}
	return strings.Join(lines, " | ")
}
