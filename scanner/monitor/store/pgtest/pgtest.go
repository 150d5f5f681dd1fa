// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb in a
// temporary directory, postgres on a free loopback port with password
// authentication, stopped and removed when the test ends. Tests run against the
// real server, never a mock. It needs Debian's postgresql package (initdb and
// pg_ctl); without it a test is skipped with a message saying so.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Password is the superuser's password in every cluster this package starts.
const Password = "cookiescan-test"

// Cluster is one running PostgreSQL server.
type Cluster struct {
	Dir  string // data directory
	Port int
	bin  string
	cred *syscall.Credential // non-nil when running as root: initdb refuses root
	dbs  atomic.Int64
}

// BinDir finds initdb and pg_ctl: $COOKIESCAN_PG_BIN, then the newest
// /usr/lib/postgresql/*/bin (Debian keeps them off PATH), then PATH.
func BinDir() (string, error) {
	if d := os.Getenv("COOKIESCAN_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL's initdb not found (install Debian's postgresql package: apt-get install postgresql, or set COOKIESCAN_PG_BIN)")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Start runs a new cluster, stopped and removed in t.Cleanup. It skips the test
// when PostgreSQL is not installed.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c, err := New()
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			t.Skip("skipping: " + err.Error())
		}
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// New runs a new cluster; Close stops and removes it.
func New() (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	// Not t.TempDir(): when the tests run as root the server runs as nobody,
	// which must own its directory, and t.TempDir's parent is private to root.
	dir, err := os.MkdirTemp("", "cookiescan-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, and initdb refuses root: no user nobody to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(Password+"\n"), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.cred != nil {
		os.Chown(pw, int(c.cred.Uid), int(c.cred.Gid))
	}
	data := filepath.Join(dir, "data")
	// --no-sync and fsync=off: a test cluster's durability does not matter, and
	// the machine is shared.
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "--pwfile", pw, "--auth", "scram-sha-256",
		"--no-sync", "-E", "UTF8", "--locale", "C"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := c.startOn(data, 0); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func (c *Cluster) run(tool string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, tool), args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// startOn starts the server on port (0: a free one, retried if another process
// takes it first).
func (c *Cluster) startOn(data string, port int) error {
	var last error
	for range 5 {
		p := port
		if p == 0 {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			p = ln.Addr().(*net.TCPAddr).Port
			ln.Close()
		}
		opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories='%s' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", p, c.Dir)
		out, err := c.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(c.Dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			c.Port = p
			return nil
		}
		log, _ := os.ReadFile(filepath.Join(c.Dir, "log"))
		last = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
		if port != 0 {
			break
		}
	}
	return last
}

// Stop stops the server (fast shutdown: connections are cut, as in a restart).
func (c *Cluster) Stop() error {
	out, err := c.run("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-m", "fast", "-w", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// Restart starts a stopped server again on the same port.
func (c *Cluster) Restart() error {
	return c.startOn(filepath.Join(c.Dir, "data"), c.Port)
}

// Close stops the server and removes its directory.
func (c *Cluster) Close() {
	c.run("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.Dir)
}

// URL is the connection URL of a database with the given password.
func (c *Cluster) URL(db, password string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", password, c.Port, db)
}

// NewDB creates an empty database and returns its URL: tests sharing a cluster
// do not see each other's tables.
func (c *Cluster) NewDB(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", c.dbs.Add(1))
	db, err := sql.Open("pgx", c.URL("postgres", Password))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return c.URL(name, Password)
}

var (
	sharedMu  sync.Mutex
	shared    *Cluster
	sharedErr error
)

// Shared is one cluster for the whole test binary, started on first use (each
// test takes its own database with NewDB); Main stops it. A test that stops or
// restarts the server starts its own with Start instead.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = New()
	}
	if sharedErr != nil {
		if strings.Contains(sharedErr.Error(), "not found") {
			t.Skip("skipping: " + sharedErr.Error())
		}
		t.Fatal(sharedErr)
	}
	return shared
}

// Main runs the tests and then stops the shared cluster: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	sharedMu.Lock()
	if shared != nil {
		shared.Close()
	}
	sharedMu.Unlock()
	os.Exit(code)
}
