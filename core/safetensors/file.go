package safetensors

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// ReadFile reads and validates the safetensors file at path. Errors name the
// file. The header length is checked against the file size before anything
// else is read.
func ReadFile(path string) (File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("safetensors: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return File{}, fmt.Errorf("safetensors: %w", err)
	}
	if !st.Mode().IsRegular() {
		return File{}, fmt.Errorf("safetensors: %s: not a regular file", path)
	}
	f, err := decode(bufio.NewReaderSize(fh, 1<<20), st.Size())
	if err != nil {
		return File{}, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return f, nil
}

// WriteFile encodes f (see Encode) to the file at path, atomically: it writes
// a temporary file in the same directory, syncs it to disk, renames it over
// path and syncs the directory. If anything fails, including validation of f,
// the file at path is left as it was and the temporary file is removed. The
// new file has mode 0644, or the mode of the file it replaces.
func WriteFile(path string, f File) (err error) {
	// Validate before creating anything.
	if _, _, err := encodeHeader(f); err != nil {
		return fmt.Errorf("%w (not writing %s)", err, path)
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("safetensors: %s: not a regular file", path)
		}
		mode = st.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	renamed := false
	defer func() {
		if err != nil && !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := Encode(w, f); err != nil {
		return fmt.Errorf("safetensors: writing %s: %w", tmp.Name(), err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("safetensors: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	renamed = true
	// The new file is in place; make the rename itself durable.
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("safetensors: wrote %s but cannot sync its directory: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("safetensors: wrote %s but cannot sync its directory: %w", path, err)
	}
	return nil
}
