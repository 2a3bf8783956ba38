package imageio

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
)

// WritePNG encodes img as PNG to path atomically: it writes a temporary file
// in the same directory, syncs it and renames it over path, so a crash or a
// concurrent reader never sees a partial image. Missing parent directories
// are created.
func WritePNG(path string, img image.Image) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("imageio.WritePNG: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("imageio.WritePNG: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := png.Encode(f, img); err != nil {
		return fmt.Errorf("imageio.WritePNG(%s): %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("imageio.WritePNG(%s): %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("imageio.WritePNG(%s): %w", path, err)
	}
	// CreateTemp makes the file 0600; a sample grid is ordinary output.
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("imageio.WritePNG(%s): %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("imageio.WritePNG(%s): %w", path, err)
	}
	return nil
}
