//go:build race

package itest

const raceEnabled = true

// RaceEnabled reports whether the tests and the binary they run are built
// with the race detector.
const RaceEnabled = raceEnabled
