package engine

import (
	"cmap/domain"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestLoadScale(t *testing.T) {
	got, err := LoadScale("../rules")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Basic", "Intermediate", "Advanced", "Expert"}; !reflect.DeepEqual(got.Levels, want) {
		t.Errorf("levels %v, want %v", got.Levels, want)
	}

	dir := t.TempDir()
	if got, err := LoadScale(dir); err != nil || !reflect.DeepEqual(got, domain.DefaultScale()) {
		t.Errorf("no scale file: %v, %v; want the default scale", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ScaleFile), []byte("name: S\nlevels: [Low, low]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadScale(dir)
	want := filepath.ToSlash(filepath.Join(dir, ScaleFile)) + `:2:9: duplicate level "low"`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}
