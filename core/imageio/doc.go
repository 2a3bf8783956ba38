// Package imageio turns batches of images into pictures: Grid tiles an NHWC
// tensor into one image, as the sample grids a GAN writes each epoch, and
// WritePNG saves an image atomically so a reader never sees half a file.
package imageio
