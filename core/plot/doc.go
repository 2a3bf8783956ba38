// Package plot draws training curves as PNG images with gonum.org/v1/plot,
// whose fonts are embedded, so it works offline.
//
// A Figure is named series over a shared x axis; LossCurves and StepCurves
// draw a train.History against epochs or global steps. Non-finite values
// (a NaN where a key was not logged, a diverged loss) break a curve rather
// than bend it. PNGs are written atomically (temporary file, fsync, rename),
// so a reader never sees half a picture.
package plot
