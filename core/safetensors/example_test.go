package safetensors_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/ganlab/ganlab/core/safetensors"
)

func Example() {
	w, err := safetensors.FromFloat32([]int{2, 2}, []float32{1, 2, 3, 4})
	if err != nil {
		log.Fatal(err)
	}
	file := safetensors.File{
		Tensors:  map[string]safetensors.Tensor{"generator.fc.weight": w},
		Metadata: map[string]string{"epoch": "3"},
	}
	var buf bytes.Buffer // or safetensors.WriteFile(path, file)
	if err := safetensors.Encode(&buf, file); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bytes; header: %s\n", buf.Len(), bytes.TrimRight(buf.Bytes()[8:buf.Len()-16], " "))

	back, err := safetensors.Decode(&buf)
	if err != nil {
		log.Fatal(err)
	}
	t := back.Tensors["generator.fc.weight"]
	vals, err := t.Float32s()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.DType, t.Shape, vals, back.Metadata["epoch"])
	// Output:
	// 128 bytes; header: {"__metadata__":{"epoch":"3"},"generator.fc.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}
	// F32 [2 2] [1 2 3 4] 3
}
