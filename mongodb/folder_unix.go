//go:build unix

package mongodb

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// The embedded server's private folder inside the data folder: its Unix
// socket and the lock that makes one process the folder's owner. Mode
// 0700: only the user cmap runs as can connect to the socket.
const (
	runFolder  = "run"
	socketName = "db.sock" // the driver takes an address ending in "sock" for a Unix socket
	lockName   = "lock"
)

// maxSocketPath is the longest path of a Unix socket: sockaddr_un's
// sun_path less its terminating NUL (107 bytes on Linux, 103 on macOS).
var maxSocketPath = len(syscall.RawSockaddrUnix{}.Path) - 1

// socketPath returns the path of the embedded server's socket for the
// data folder dir (absolute), or an error saying why the path cannot be
// one: too long for a Unix socket, or holding a character that a MongoDB
// URI's host cannot carry (the driver splits a host at ":").
func socketPath(dir string) (string, error) {
	p := filepath.Join(dir, runFolder, socketName)
	switch {
	case len(p) > maxSocketPath:
		return "", fmt.Errorf("mongodb: the data folder's path is too long for the embedded database's socket %s (%d bytes, at most %d): "+
			"use a data folder with a path at most %d bytes long",
			p, len(p), maxSocketPath, maxSocketPath-len(p)+len(dir))
	case strings.ContainsAny(p, ":,"):
		return "", fmt.Errorf("mongodb: the data folder's path %s holds a ':' or ',', which the URI of the embedded database's socket cannot carry: use another data folder", dir)
	}
	return p, nil
}

// socketURI returns the MongoDB URI of the Unix socket at path: the path,
// escaped, as the host (the driver unescapes it and dials a host ending in
// "sock" as a Unix socket).
func socketURI(path string) string {
	return "mongodb://" + url.QueryEscape(path) + "/"
}

// folderLock is the exclusive lock (flock) of a data folder that the
// process running its embedded server holds for as long as it runs. The
// kernel releases it when the process ends, however it ends: a process
// that takes it knows that any process which held it before is gone.
type folderLock struct {
	file *os.File
	// predecessor is the owner id the previous holder wrote in the lock
	// file, "" if none.
	predecessor string
}

// lockFolder creates dir's private folder (mode 0700) and takes the
// folder's lock for owner, an id that names this process's writes (see
// DB.leaseOwner). It fails, naming the process that holds it, if another
// process holds the lock.
func lockFolder(dir, owner string) (*folderLock, error) {
	run := filepath.Join(dir, runFolder)
	if err := os.Mkdir(run, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("mongodb: cannot create the database's private folder: %w", err)
	}
	// An existing folder may have been made with other permissions: it must
	// be this user's and closed to others, since its socket lets anyone who
	// reaches it read and write every record.
	fi, err := os.Lstat(run)
	if err != nil {
		return nil, fmt.Errorf("mongodb: the database's private folder: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("mongodb: %s is not a folder: remove it, cmap keeps the database's socket there", run)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return nil, fmt.Errorf("mongodb: %s belongs to another user (uid %d): the database's socket cannot be kept private there", run, st.Uid)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(run, 0o700); err != nil {
			return nil, fmt.Errorf("mongodb: closing the database's private folder to other users: %w", err)
		}
	}

	path := filepath.Join(run, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("mongodb: opening the data folder's lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid, _ := readLockFile(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, folderInUse(dir, pid)
		}
		return nil, fmt.Errorf("mongodb: locking the data folder %s: %w", dir, err)
	}
	_, predecessor := readLockFile(f)
	content := fmt.Sprintf("%d\n%s\n", os.Getpid(), owner)
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("mongodb: writing the data folder's lock: %w", err)
	}
	if _, err := f.WriteAt([]byte(content), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("mongodb: writing the data folder's lock: %w", err)
	}
	return &folderLock{file: f, predecessor: predecessor}, nil
}

// folderInUse is the error of opening a data folder whose lock process
// pid (0 if unknown) holds.
func folderInUse(dir string, pid int) error {
	who := "another process"
	if pid > 0 {
		who = fmt.Sprintf("another process (pid %d)", pid)
	}
	msg := fmt.Sprintf("mongodb: the data folder %s is in use: %s runs its embedded database; stop it, or share that database", dir, who)
	if sock, err := socketPath(dir); err == nil {
		msg += " with --mongo-uri " + socketURI(sock)
	}
	return errors.New(msg)
}

// readLockFile reads the pid and the owner id a holder of the lock file
// wrote (zero values if none).
func readLockFile(f *os.File) (pid int, owner string) {
	s := bufio.NewScanner(io.NewSectionReader(f, 0, 4096))
	if s.Scan() {
		pid, _ = strconv.Atoi(s.Text())
	}
	if s.Scan() {
		owner = s.Text()
	}
	return pid, owner
}

// unlock releases the lock. The file stays: removing it would let two
// processes lock two different files of the same name.
func (l *folderLock) unlock() {
	syscall.Flock(int(l.file.Fd()), syscall.LOCK_UN)
	l.file.Close()
}
