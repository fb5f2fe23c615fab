package static

// DisableFastPaths makes the handler use what other systems use: openat
// and the component walk instead of openat2, stat instead of raw statx.
func DisableFastPaths(off bool) {
	noOpenat2.Store(off)
	noStatx.Store(off)
}

// StatPath exposes statPath, the revalidation stat.
func StatPath(path []byte) error {
	var fi fileInfo
	return statPath(path, &fi)
}
