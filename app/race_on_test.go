//go:build race

package app_test

// raceDetector reports that the tests run with the race detector, which
// makes them several times slower.
const raceDetector = true
