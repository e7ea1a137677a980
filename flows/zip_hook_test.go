package flows

// SetZipPartLimit sets the size of a photo ZIP's parts, so a test can split a
// small export; call it before the bot starts and the restore after it stops.
func SetZipPartLimit(n int64) (restore func()) {
	old := zipPartLimit
	zipPartLimit = n
	return func() { zipPartLimit = old }
}
