module github.com/ganlab/ganlab

go 1.26
