// Package safetensors reads and writes tensors in the safetensors format of
// Hugging Face (https://github.com/huggingface/safetensors), the format ganlab
// uses for model weights.
//
// # Format
//
// A file is
//
//	8 bytes      N, the header length, an unsigned little-endian 64-bit integer
//	N bytes      the header: a UTF-8 JSON object, possibly padded with spaces
//	the rest     the data buffer: every tensor's bytes
//
// The header maps each tensor name to an object
//
//	{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
//
// where dtype is one of the DType constants, shape lists the dimensions
// outermost first ([] is a scalar) and [begin, end) is the byte range of the
// tensor in the data buffer (offsets are relative to the start of the buffer,
// not of the file). Elements are stored little-endian in row-major (C) order.
// The optional key "__metadata__" maps to an object of string to string.
//
// # Invariants
//
// Decode and ReadFile accept a file only if all of these hold, and otherwise
// return an error naming the tensor (and, for ReadFile, the file) and the
// problem:
//
//   - the file is at least 8 bytes long, and 0 <= N <= MaxHeaderSize (100 MiB)
//     and N is no larger than what follows the length;
//   - the header is valid UTF-8, starts with '{' and is exactly one JSON
//     object followed only by whitespace, without duplicate keys at any level;
//   - "__metadata__", if present, is null or an object whose values are all
//     strings;
//   - every other key is a non-empty tensor name whose value has exactly the
//     fields dtype (a known DType name), shape (an array of integers >= 0) and
//     data_offsets (an array of two integers, 0 <= begin <= end);
//   - end-begin == ByteSize(dtype) * product(shape) for every tensor;
//   - the ranges, sorted by begin, are contiguous and non-overlapping: the
//     first begins at 0, each begins where the previous one ends, and the last
//     ends at the end of the buffer, so every byte belongs to exactly one
//     tensor (zero-size tensors take an empty range anywhere in that chain).
//
// These are the checks of the reference implementation, plus the rejection of
// duplicate keys and unknown fields, which it silently tolerates. Decoding
// never panics, whatever the input.
//
// Encode and WriteFile write tensors sorted by name, with compact JSON and
// the header padded with spaces so that the data buffer starts at a multiple
// of 8 bytes; the same File always gives the same bytes. (The reference
// writer orders tensors by decreasing alignment first, then by name; both
// orders give valid files, and Decode accepts either.)
// WriteFile replaces its target atomically.
//
// # Testing
//
// FuzzDecode checks that Decode never panics and that whatever it accepts
// re-encodes to a file that decodes to the same content, and encodes to the
// same bytes again. Its seed corpus runs with go test. When the package was
// written (2 CPU cores) it was fuzzed with
//
//	go test -run XXX -fuzz FuzzDecode -fuzztime 60s (three runs), and
//	go test -run XXX -fuzz FuzzDecode -fuzztime 180s -fuzzminimizetime 200x
//	(4.5 million executions, ~23k/s), plus one 60s run with the same option,
//
// and found no crash, panic, hang or round-trip failure. With the default
// -fuzzminimizetime (60s) the 60s runs spend most of their time minimizing a
// new corpus entry (the progress line then reads 0 execs/s); that is the
// fuzzer's minimizer (quadratic in the input length), not a slow input: the
// corpus entries are at most 4 KB and each decodes in microseconds.
package safetensors
