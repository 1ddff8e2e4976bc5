package app

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The snapshot file
//
// Reading every record from the embedded database is most of a cold start
// (FerretDB decodes its JSON column, the driver BSON). So the App keeps a
// copy of the records it serves in Options.SnapshotFile, labelled with the
// store's DataVersion and DataID (domain.Versions), and starts from it
// when no write is under way and either the store still reports that
// label (the file holds exactly the stored records) or the file is behind:
// the change log's entry of its version carries its DataID (the store went
// through that state) and the log names every write since, which Open
// then applies as a poll would before it serves. That is the start after
// a crash, which writes no file: about 2-4 s at DoD scale instead of
// reading every record (10-40 s on FerretDB). A DataID is drawn anew at
// every increment of the data version, so another database or a restored
// backup never shows the label, at its version or in its log. The file is
// ignored when it is missing, fails its checksum, or is behind where the
// log cannot answer (pruned past it, a version missing, a write of many
// records or of the framework since, an entry of an older cmap without a
// data id), and written again:
//
//   - in the background after the App read the records from the store (at
//     Open or in a full rebuild) or caught up with them at Open,
//   - and by Close, from the serving state, when it is labelled with the
//     store's version (a state whose last update raced another writer is
//     not, and is left for the next start to read from the store).
//
// It is written to a temporary file in the same folder, synced and renamed
// over the old one, so a crash leaves the old file or the new one whole.
// The facts are not in it: they are derived at start (about 100 ms).
//
// Layout: snapshotMagic, a little-endian uint32 format version, a
// little-endian CRC-32C of the rest, then the rest: a gob stream of a
// snapshotLabel and a snapshotRecords.

// snapshotMagic begins every snapshot file.
const snapshotMagic = "CMAPSNAP"

// snapshotFormat is the version of the layout; a file of another is
// ignored. 2: the framework carries its revision and former codes.
const snapshotFormat uint32 = 2

// snapshotHeaderSize is the size of the magic, format and checksum.
const snapshotHeaderSize = len(snapshotMagic) + 4 + 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snapshotLabel names the state of the store's records a snapshot holds.
type snapshotLabel struct {
	DataVersion int64
	DataID      string
}

// snapshotRecords is the content of a snapshot file.
type snapshotRecords struct {
	Framework *domain.Framework
	Courses   []*domain.Course
	Positions []*domain.Position
	People    []*domain.Person
}

// labelOf returns the label of state s, and false when s is not labelled
// with a version of the store (it is stale).
func labelOf(s *state) (snapshotLabel, bool) {
	return snapshotLabel{DataVersion: s.dataVersion, DataID: s.dataID}, s.dataID != "" && s.dataVersion != staleVersion
}

// openRecords returns the records to start from, and the store's data
// version now: those of the snapshot file when it holds the store's
// records now, or held them at an earlier version of this database and the
// change log names every write since (Open then catches up from the log:
// after a crash the file is usually a few writes behind); those read from
// the store otherwise. fromFile tells which.
func (a *App) openRecords(ctx context.Context) (snap *snapshot, fromFile bool, latest int64, err error) {
	v, err := a.store.Versions(ctx)
	if err != nil {
		return nil, false, 0, err
	}
	if path := a.opts.SnapshotFile; path != "" {
		snap, err := readSnapshotFile(path)
		if err == nil {
			err = a.snapshotFits(ctx, snap, v)
		}
		if err == nil {
			a.snapWritten = snapshotLabel{DataVersion: snap.dataVersion, DataID: snap.dataID}
			return snap, true, v.Data, nil
		}
		a.logger.Info("reading the records from the database", "snapshot", path, "not used", err)
	}
	snap, err = a.readRecords(ctx, v)
	return snap, false, v.Data, err
}

// errSnapshotMissing reports that there is no snapshot file (yet).
var errSnapshotMissing = errors.New("no snapshot file")

// snapshotFits returns nil if snap holds the records of the store whose
// versions are v, or held them at an earlier version after which the
// change log names every write; otherwise an error that says why not.
func (a *App) snapshotFits(ctx context.Context, snap *snapshot, v domain.Versions) error {
	switch {
	case v.Unsettled:
		return errors.New("a write to the database may be under way")
	case snap.dataVersion == v.Data && snap.dataID == v.DataID:
		return nil
	case snap.dataVersion >= v.Data:
		return fmt.Errorf("another database: the file holds data version %d (id %s), the database is at %d (id %s)",
			snap.dataVersion, snap.dataID, v.Data, v.DataID)
	}
	stale := fmt.Sprintf("stale: it holds data version %d, the database is at %d", snap.dataVersion, v.Data)
	changes, err := a.store.Changes(ctx, snap.dataVersion-1, v.Data)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return fmt.Errorf("%s, and the change log no longer reaches back to it", stale)
	case err != nil:
		return fmt.Errorf("%s, and the change log cannot be read: %w", stale, err)
	case len(changes) == 0:
		return fmt.Errorf("%s, and version %d is missing from the change log", stale, snap.dataVersion)
	case changes[0].DataID == "":
		return fmt.Errorf("%s, and the change log's entry of version %d has no data id to tell whether it is this database's (an older cmap wrote it)", stale, snap.dataVersion)
	case changes[0].DataID != snap.dataID:
		return fmt.Errorf("%s of another database (the change log names data id %s at version %d, the file %s)", stale, changes[0].DataID, snap.dataVersion, snap.dataID)
	case int64(len(changes)) <= v.Data-snap.dataVersion:
		return fmt.Errorf("%s, and version %d is missing from the change log", stale, snap.dataVersion+int64(len(changes)))
	}
	for _, c := range changes[1:] {
		switch c.Kind {
		case domain.ChangeMany:
			return fmt.Errorf("%s, and version %d wrote many records at once", stale, c.Version)
		case domain.ChangeFramework:
			return fmt.Errorf("%s, and version %d changed the framework", stale, c.Version)
		}
	}
	return nil
}

// readSnapshotFile returns the records in the snapshot file at path, as
// of the data version and data id of its label, or an error that says why
// it cannot.
func readSnapshotFile(path string) (*snapshot, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errSnapshotMissing
	}
	if err != nil {
		return nil, err
	}
	if len(data) < snapshotHeaderSize || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return nil, errors.New("not a snapshot file")
	}
	rest := data[len(snapshotMagic):]
	if format := binary.LittleEndian.Uint32(rest); format != snapshotFormat {
		return nil, fmt.Errorf("snapshot format %d, not %d", format, snapshotFormat)
	}
	body := rest[8:]
	if sum := binary.LittleEndian.Uint32(rest[4:]); sum != crc32.Checksum(body, castagnoli) {
		return nil, errors.New("the checksum does not match: the file is damaged")
	}
	dec := gob.NewDecoder(bytes.NewReader(body))
	var label snapshotLabel
	if err := dec.Decode(&label); err != nil {
		return nil, fmt.Errorf("decoding the label: %w", err)
	}
	var records snapshotRecords
	if err := dec.Decode(&records); err != nil {
		return nil, fmt.Errorf("decoding the records: %w", err)
	}
	if records.Framework == nil {
		return nil, errors.New("the file holds no framework")
	}
	return &snapshot{
		dataVersion: label.DataVersion, dataID: label.DataID, framework: records.Framework,
		courses: records.Courses, positions: records.Positions, people: records.People,
	}, nil
}

// saveSnapshotLater writes the snapshot file of s in the background.
func (a *App) saveSnapshotLater(s *state) {
	if a.opts.SnapshotFile == "" {
		return
	}
	a.done.Go(func() {
		if err := a.saveSnapshot(s); err != nil {
			a.logger.Warn("writing the snapshot file failed", "file", a.opts.SnapshotFile, "error", err)
		}
	})
}

// saveSnapshot writes the snapshot file of s, unless there is no file to
// write (Options.SnapshotFile is empty), s is not labelled with a version
// of the store, or the file already holds that version or a later one.
func (a *App) saveSnapshot(s *state) error {
	label, ok := labelOf(s)
	if a.opts.SnapshotFile == "" || !ok {
		return nil
	}
	a.snapMu.Lock()
	defer a.snapMu.Unlock()
	if last := a.snapWritten; last == label || last.DataVersion > label.DataVersion {
		return nil
	}
	start := time.Now()
	n, err := writeSnapshotFile(a.opts.SnapshotFile, label, recordsOf(s))
	if err != nil {
		return err
	}
	a.snapWritten = label
	a.logger.Info("snapshot file written", "file", a.opts.SnapshotFile, "dataVersion", label.DataVersion,
		"bytes", n, "duration", time.Since(start))
	return nil
}

// recordsOf returns the framework and every record of state s.
func recordsOf(s *state) snapshotRecords {
	courses, _ := s.index.Courses(domain.CourseFilter{}, domain.Page{})
	positions, _ := s.index.Positions(domain.PositionFilter{}, domain.Page{})
	people, _ := s.index.People(domain.PersonFilter{}, domain.Page{})
	return snapshotRecords{Framework: s.rules.Framework(), Courses: courses.Items, Positions: positions.Items, People: people.Items}
}

// writeSnapshotFile writes records labelled with label to path, whole or
// not at all, and returns the size of the file.
func writeSnapshotFile(path string, label snapshotLabel, records snapshotRecords) (int, error) {
	var body bytes.Buffer
	enc := gob.NewEncoder(&body)
	if err := enc.Encode(label); err != nil {
		return 0, err
	}
	if err := enc.Encode(records); err != nil {
		return 0, err
	}
	header := make([]byte, snapshotHeaderSize)
	copy(header, snapshotMagic)
	binary.LittleEndian.PutUint32(header[len(snapshotMagic):], snapshotFormat)
	binary.LittleEndian.PutUint32(header[len(snapshotMagic)+4:], crc32.Checksum(body.Bytes(), castagnoli))

	size := snapshotHeaderSize + body.Len()
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	_, err = tmp.Write(header)
	if err == nil {
		_, err = body.WriteTo(tmp)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	if d, err := os.Open(dir); err == nil {
		// Make the rename durable; a folder that cannot be synced (some
		// file systems) still has it.
		d.Sync()
		d.Close()
	}
	return size, nil
}
