//go:build !unix

package mongodb

import "errors"

// errNoEmbedded says why this system cannot run the embedded database.
var errNoEmbedded = errors.New("mongodb: the embedded database needs a Unix system (a folder lock and a Unix socket keep it private): give a MongoDB URI")

// folderLock is not available on this system.
type folderLock struct{ predecessor string }

// lockFolder fails: see errNoEmbedded.
func lockFolder(dir, owner string) (*folderLock, error) { return nil, errNoEmbedded }

// socketPath fails: see errNoEmbedded.
func socketPath(dir string) (string, error) { return "", errNoEmbedded }

// socketURI is never reached on this system.
func socketURI(path string) string { return "" }

func (l *folderLock) unlock() {}
